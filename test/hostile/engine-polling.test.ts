// RELIABILITY 3a, A2: hostile long-polling requests and payloads.
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RawData } from "../../src/engine/index.js";
import {
  closeAll,
  closeReason,
  eio,
  handshake,
  poll,
  post,
  request,
  startEngine,
  until,
  upgrade,
} from "../engine/harness.js";

afterEach(closeAll);

function pollPending(engine: { clients: Map<string, unknown> }, sid: string): boolean {
  const session = engine.clients.get(sid) as { polling: { writable: boolean } | null } | undefined;
  return session?.polling?.writable === true;
}

describe("A2 long-polling", () => {
  it("A2-1 answers 413 to a body of maxHttpBufferSize + 1 bytes and closes that session", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    const reply = await post(harness.port, sid, "4" + "x".repeat(1e6));
    expect(reply.status).toBe(413);
    const { description } = await closed;
    expect(description).toMatchObject({ code: "PW_ERR_ENGINE_PAYLOAD_TOO_LARGE" });
  });

  it("A2-1 answers 413 to an endless chunked body as soon as the limit is crossed", async () => {
    const harness = await startEngine({ maxHttpBufferSize: 100_000 });
    const { sid } = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: harness.port,
          path: eio(`&sid=${sid}`),
          method: "POST",
          agent: false,
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
        },
      );
      req.on("error", () => {});
      const chunk = Buffer.alloc(16 * 1024, 0x78);
      chunk[0] = 0x34;
      const pump = () => {
        if (req.destroyed || sent > 1e9) return reject(new Error("the server kept reading"));
        sent += chunk.length;
        if (req.write(chunk)) setImmediate(pump);
        else req.once("drain", pump);
      };
      pump();
      // the answer comes while the body is still streaming
      req.on("response", () => req.destroy());
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect((await closed).reason).toBe("transport error");
  });

  it("A2-2 answers 400 to a POST with Content-Type application/octet-stream, and ends it", async () => {
    const { port } = await startEngine();
    const { sid } = await handshake(port);
    const reply = await request(port, eio(`&sid=${sid}`), {
      method: "POST",
      body: Buffer.from([1, 2, 3]),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).code).toBe(3);
  });

  it("A2-3 answers 400 to invalid bodies and closes the session; the next GET gets code 1", async () => {
    const harness = await startEngine();
    for (const bad of ["abc", "9x", "", "\x1e", "4a\x1e\x1e4b", "4ok\x1e"]) {
      const { sid } = await handshake(harness.port);
      const session = harness.sessions.at(-1)!;
      const closed = closeReason(session);
      const reply = await post(harness.port, sid, bad);
      expect(reply.status, JSON.stringify(bad)).toBe(400);
      expect((await closed).reason).toBe("parse error");
      const next = await poll(harness.port, sid);
      expect(next.status).toBe(400);
      expect(JSON.parse(next.body).code).toBe(1);
    }
  });

  it("A2-4 closes the session on a second concurrent GET: 400 for it, 1 for the first", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const first = poll(harness.port, sid);
    await until(() => pollPending(harness.engine, sid), "pending GET");
    const second = await poll(harness.port, sid);
    expect(second.status).toBe(400);
    expect((await first).body).toBe("1");
    expect(harness.engine.clients.has(sid)).toBe(false);
  });

  it("A2-5 answers 400 to a second concurrent POST and closes the session", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    const slow = httpRequest({
      host: "127.0.0.1",
      port: harness.port,
      path: eio(`&sid=${sid}`),
      method: "POST",
      agent: false,
      headers: { "content-length": "10" },
    });
    slow.on("error", () => {});
    slow.write("4abc");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await post(harness.port, sid, "4x");
    expect(second.status).toBe(400);
    expect(JSON.parse(second.body).message).toBe("Bad request: data request overlap");
    expect((await closed).reason).toBe("transport error");
    slow.destroy();
  });

  it("A2-6 refuses a polling GET with the sid after the upgrade, leaving the WebSocket alone", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const client = await upgrade(harness.port, sid);
    client.ws.send("4one");
    expect(await client.next()).toBe("4one");
    const reply = await poll(harness.port, sid);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).message).toMatch(/transport mismatch/);
    client.ws.send("4two");
    expect(await client.next()).toBe("4two");
    client.ws.close();
  });

  it("A2-7 handles a payload of ~500k noops and of ~333k messages in one pass", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const noops = Array(500_000).fill("6").join("\x1e");
    expect(noops.length).toBeLessThanOrEqual(1e6);
    expect((await post(harness.port, sid, noops)).status).toBe(200);
    let count = 0;
    harness.sessions[0]!.onmessage = () => count++;
    const messages = Array(333_333).fill("4x").join("\x1e");
    expect((await post(harness.port, sid, messages)).status).toBe(200);
    expect(count).toBe(333_333);
    expect(harness.sessions[0]!.readyState).toBe("open");
  });

  it("A2-8 decodes invalid UTF-8 and lone surrogates, and closes on invalid base64", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const received: RawData[] = [];
    harness.sessions[0]!.onmessage = (data) => received.push(data);
    const bytes = Buffer.concat([
      Buffer.from("4a"),
      Buffer.from([0xff, 0xfe]),
      Buffer.from("\x1e4"),
      Buffer.from([0xed, 0xa0, 0x80]),
    ]);
    expect((await post(harness.port, sid, bytes)).status).toBe(200);
    expect(received).toEqual(["a\ufffd\ufffd", "\ufffd\ufffd\ufffd"]);
    const closed = closeReason(harness.sessions[0]!);
    expect((await post(harness.port, sid, "b!!!!")).status).toBe(400);
    expect((await closed).reason).toBe("parse error");
  });

  it("A2-9 lets the http server's timeouts kill a trickling POST but not a long-poll GET", async () => {
    const harness = await startEngine(
      { pingInterval: 400, pingTimeout: 1000 },
      {
        serverOptions: {
          requestTimeout: 200,
          headersTimeout: 150,
          connectionsCheckingInterval: 20,
        },
      },
    );
    const { sid } = await handshake(harness.port);
    const longPoll = poll(harness.port, sid);
    const other = await handshake(harness.port);
    const closedOther = closeReason(harness.sessions[1]!);
    const trickle = connect(harness.port, "127.0.0.1");
    trickle.on("error", () => {});
    trickle.write(
      `POST ${eio(`&sid=${other.sid}`)} HTTP/1.1\r\nHost: a\r\nContent-Length: 10000\r\n\r\n4`,
    );
    const timer = setInterval(() => trickle.write("x"), 50);
    const ended = new Promise<string>((resolve) => {
      let data = "";
      trickle.on("data", (chunk) => (data += chunk.toString()));
      trickle.on("close", () => resolve(data));
    });
    const answer = await ended;
    clearInterval(timer);
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect((await longPoll).body).toBe("2");
    expect(harness.sessions[0]!.readyState).toBe("open");
    expect((await closedOther).reason).toBe("transport error");
  });

  it("A2-10 closes the session on a reset mid-GET or mid-POST, without an uncaught error", async () => {
    const harness = await startEngine();
    const a = await handshake(harness.port);
    const b = await handshake(harness.port);
    const closedA = closeReason(harness.sessions[0]!);
    const closedB = closeReason(harness.sessions[1]!);
    const get = connect(harness.port, "127.0.0.1");
    get.on("error", () => {});
    get.write(`GET ${eio(`&sid=${a.sid}`)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    await until(() => pollPending(harness.engine, a.sid), "pending GET");
    get.resetAndDestroy();
    const postSocket = connect(harness.port, "127.0.0.1");
    postSocket.on("error", () => {});
    postSocket.write(
      `POST ${eio(`&sid=${b.sid}`)} HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\n4half`,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    postSocket.resetAndDestroy();
    expect((await closedA).reason).toBe("transport error");
    expect((await closedB).reason).toBe("transport error");
    await handshake(harness.port);
  });
});
