import { ServerResponse } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
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
} from "./harness.js";

afterEach(closeAll);

const original = ServerResponse.prototype.end;

/** Whether the session of `sid` has a GET waiting. */
function waiting(harness: { engine: { clients: Map<string, unknown> } }, sid: string): boolean {
  const session = harness.engine.clients.get(sid) as
    { polling: { writable: boolean } | null } | undefined;
  return session?.polling?.writable === true;
}

describe("polling POST", () => {
  it("delivers each message of a payload in order and answers ok", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const { sid } = await handshake(port);
    const received: RawData[] = [];
    sessions[0]!.onmessage = (data) => received.push(data);
    const reply = await post(port, sid, "4one\x1e4two\x1ebAQIDBA==\x1e4");
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("ok");
    expect(reply.headers["content-type"]).toBe("text/html");
    expect(received).toEqual(["one", "two", Uint8Array.of(1, 2, 3, 4), ""]);
  });

  it("decodes UTF-8 split across body chunks", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const { sid } = await handshake(port);
    const received: RawData[] = [];
    sessions[0]!.onmessage = (data) => received.push(data);
    const text = "4" + "€".repeat(40_000);
    expect((await post(port, sid, text)).status).toBe(200);
    expect(received).toEqual(["€".repeat(40_000)]);
  });

  it("refuses an unparsable payload with 400 and closes the session with parse error", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    const reply = await post(harness.port, sid, "4ok\x1ezzz");
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ code: 3, message: "Bad request: invalid payload" });
    expect((await closed).reason).toBe("parse error");
    expect((await poll(harness.port, sid)).status).toBe(400);
  });

  it("closes only the session whose body is over maxHttpBufferSize, with 413", async () => {
    const harness = await startEngine({ maxHttpBufferSize: 100 });
    const victim = await handshake(harness.port);
    const bystander = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    const reply = await post(harness.port, victim.sid, "4" + "x".repeat(100));
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body).message).toMatch(/^Payload too large/);
    expect((await closed).reason).toBe("transport error");
    expect(harness.engine.clients.has(victim.sid)).toBe(false);
    expect((await post(harness.port, bystander.sid, "4" + "x".repeat(99))).status).toBe(200);
  });
});

describe("polling GET", () => {
  it("waits for data, then answers with everything queued in one payload", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const pending = poll(harness.port, sid);
    await until(() => waiting(harness, sid), "pending GET");
    const session = harness.sessions[0]!;
    session.send("a");
    session.send(Uint8Array.of(255));
    session.send("c");
    const reply = await pending;
    expect(reply.body).toBe("4a\x1eb/w==\x1e4c");
    expect(reply.headers["content-type"]).toBe("text/plain; charset=UTF-8");
  });

  it("answers at once when data is already queued", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const { sid } = await handshake(port);
    sessions[0]!.send("early");
    expect((await poll(port, sid)).body).toBe("4early");
  });

  it("splits a large queue into payloads of at most maxHttpBufferSize", async () => {
    const { port, sessions } = await startEngine({ maxHttpBufferSize: 100 }, { echo: false });
    const { sid } = await handshake(port);
    const chunk = "y".repeat(60);
    for (let i = 0; i < 3; i++) sessions[0]!.send(chunk);
    for (let i = 0; i < 3; i++) expect((await poll(port, sid)).body).toBe("4" + chunk);
  });

  it("answers the waiting GET with a POST's replies before it answers the POST ok", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const pending = poll(harness.port, sid);
    await until(() => waiting(harness, sid), "pending GET");
    // The order in which the server ends its responses, read on the server itself.
    const ended: string[] = [];
    const end = vi.spyOn(ServerResponse.prototype, "end").mockImplementation(function (
      this: ServerResponse,
      ...args: unknown[]
    ) {
      ended.push(this.req.method ?? "?");
      return Reflect.apply(original, this, args) as ServerResponse;
    });
    try {
      const reply = await post(harness.port, sid, "4one\x1e4two");
      expect(reply.body).toBe("ok");
      expect((await pending).body).toBe("4one\x1e4two");
    } finally {
      end.mockRestore();
    }
    expect(ended).toEqual(["GET", "POST"]);
  });

  it("echoes what a POST delivered on the next GET", async () => {
    const { port } = await startEngine();
    const { sid } = await handshake(port);
    await post(port, sid, "4hello\x1ebAQIDBA==");
    expect((await poll(port, sid)).body).toBe("4hello\x1ebAQIDBA==");
  });

  it("closes the session on a second concurrent GET: 400 for it, 1 for the first", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    const first = poll(harness.port, sid);
    await until(() => waiting(harness, sid), "pending GET");
    const second = await poll(harness.port, sid);
    expect(second.status).toBe(400);
    expect((await first).body).toBe("1");
    expect((await closed).reason).toBe("transport error");
  });
});

describe("closing over polling", () => {
  it("answers a pending GET with 6 when the client sends a close packet", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    const pending = poll(harness.port, sid);
    await until(() => waiting(harness, sid), "pending GET");
    await post(harness.port, sid, "1");
    expect((await pending).body).toBe("6");
    expect((await closed).reason).toBe("transport close");
    expect((await poll(harness.port, sid)).status).toBe(400);
  });

  it("answers 6 to the one poll that a client's close packet overtook, then 400", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    await post(harness.port, sid, "1");
    expect((await closed).reason).toBe("transport close");
    expect(harness.engine.clientsCount).toBe(0);
    const raced = await poll(harness.port, sid);
    expect(raced.status).toBe(200);
    expect(raced.body).toBe("6");
    expect((await poll(harness.port, sid)).status).toBe(400);
    expect((await post(harness.port, sid, "4x")).status).toBe(400);
  });

  it("hands a forced close the queue on the next poll and the close packet alone on the one after", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const session = harness.sessions[0]!;
    const reasons: string[] = [];
    session.onclose = (reason) => reasons.push(reason);
    session.send("bye");
    session.close();
    expect(session.readyState).toBe("closing");
    expect(reasons).toEqual([]);
    session.send("dropped");
    // Never in one payload: socket.io-client handles a close at once and a message a
    // tick later, so it would report "transport close" before the message.
    expect((await poll(harness.port, sid)).body).toBe("4bye");
    expect(reasons).toEqual([]);
    expect((await poll(harness.port, sid)).body).toBe("1");
    expect(reasons).toEqual(["forced close"]);
    expect(harness.engine.clientsCount).toBe(0);
  });

  it("answers a pending GET at once on a forced close", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const pending = poll(harness.port, sid);
    await until(() => waiting(harness, sid), "pending GET");
    harness.sessions[0]!.close();
    expect(harness.sessions[0]!.readyState).toBe("closed");
    expect((await pending).body).toBe("1");
  });

  it("gives up on a closing session whose client never polls again", async () => {
    const harness = await startEngine({ pingTimeout: 30 }, { echo: false });
    await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    harness.sessions[0]!.close();
    expect((await closed).reason).toBe("forced close");
    expect(harness.engine.clientsCount).toBe(0);
  });
});

describe("CORS on polling", () => {
  it("adds the allowed origin to every response, errors included", async () => {
    const { port } = await startEngine({ cors: { origin: "https://app.test", credentials: true } });
    const headers = { origin: "https://app.test" };
    const { sid, reply } = await handshake(port, headers);
    expect(reply.headers["access-control-allow-origin"]).toBe("https://app.test");
    expect(reply.headers["access-control-allow-credentials"]).toBe("true");
    const ok = await request(port, eio(`&sid=${sid}`), { method: "POST", body: "4x", headers });
    expect(ok.headers["access-control-allow-origin"]).toBe("https://app.test");
    const refused = await request(port, eio("&sid=unknown"), { headers });
    expect(refused.status).toBe(400);
    expect(refused.headers["access-control-allow-origin"]).toBe("https://app.test");
  });

  it("answers a preflight with 204, methods, requested headers and max-age", async () => {
    const { port } = await startEngine({ cors: { origin: ["https://app.test"], maxAge: 600 } });
    const reply = await request(port, eio(), {
      method: "OPTIONS",
      headers: {
        origin: "https://app.test",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-token",
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers).toMatchObject({
      "access-control-allow-origin": "https://app.test",
      "access-control-allow-methods": "GET,HEAD,PUT,PATCH,POST,DELETE",
      "access-control-allow-headers": "content-type,x-token",
      "access-control-max-age": "600",
    });
  });
});
