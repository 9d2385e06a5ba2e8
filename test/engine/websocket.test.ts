import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { EngineSession, RawData } from "../../src/engine/index.js";
import { prepareMessage } from "../../src/engine/index.js";
import {
  clientFrame,
  closeAll,
  closeReason,
  eio,
  handshake,
  openWs,
  poll,
  rawWebSocket,
  startEngine,
  until,
  wsSession,
} from "./harness.js";

afterEach(closeAll);

/** The raw socket under a WebSocket session (internal, for write accounting). */
function rawSocket(session: EngineSession): Duplex & { _writev?: unknown; _write: unknown } {
  return (session as unknown as { ws: { socket: Duplex & { _write: unknown } } }).ws.socket;
}

/** Counts the writes that reach the socket's underlying handle. */
function countWrites(socket: Duplex & { _writev?: unknown; _write: unknown }): { count: number } {
  const counter = { count: 0 };
  const write = socket._write as (...args: unknown[]) => unknown;
  const writev = socket._writev as ((...args: unknown[]) => unknown) | undefined;
  socket._write = function (this: unknown, ...args: unknown[]) {
    counter.count++;
    return write.apply(this, args);
  };
  if (writev) {
    socket._writev = function (this: unknown, ...args: unknown[]) {
      counter.count++;
      return writev.apply(this, args);
    };
  }
  return counter;
}

describe("WebSocket frames", () => {
  it("exchanges text and binary messages, one packet per frame", async () => {
    const { port } = await startEngine();
    const client = await wsSession(port);
    client.ws.send("4hello");
    client.ws.send(Uint8Array.of(1, 2, 3));
    client.ws.send("4€\u{1f600}");
    expect(await client.next()).toBe("4hello");
    expect(await client.next()).toEqual(Buffer.from([1, 2, 3]));
    expect(await client.next()).toBe("4€\u{1f600}");
    client.ws.close();
  });

  it("delivers text to onmessage without the type prefix and binary as bytes", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const client = await wsSession(port);
    const received: RawData[] = [];
    sessions[0]!.onmessage = (data) => received.push(data);
    client.ws.send("4text");
    client.ws.send("4");
    client.ws.send(Uint8Array.of(9));
    await until(() => received.length === 3);
    expect(received[0]).toBe("text");
    expect(received[1]).toBe("");
    expect([...(received[2] as Uint8Array)]).toEqual([9]);
    client.ws.close();
  });

  it("frames large messages with 16-bit and 64-bit lengths", async () => {
    const { port } = await startEngine();
    const client = await wsSession(port);
    const medium = "m".repeat(70_000);
    client.ws.send("4" + medium);
    expect(await client.next()).toBe("4" + medium);
    const bytes = Buffer.alloc(300, 7);
    client.ws.send(bytes);
    expect(await client.next()).toEqual(bytes);
    client.ws.close();
  });

  it("writes everything sent during one event-loop turn in a single socket write", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const client = await wsSession(port);
    const session = sessions[0]!;
    const counter = countWrites(rawSocket(session));
    for (let i = 0; i < 50; i++) session.send(`m${i}`);
    session.send(Uint8Array.of(1, 2));
    session.sendPrepared(prepareMessage("prepared"));
    await until(() => client.messages.length === 53);
    expect(counter.count).toBe(1);
    expect(client.messages[1]).toBe("4m0");
    expect(client.messages[52]).toBe("4prepared");
    client.ws.close();
  });

  it("writes the same prepared frame bytes to every WebSocket recipient", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const a = await wsSession(port);
    const b = await wsSession(port);
    const written: unknown[] = [];
    for (const session of sessions) {
      const socket = rawSocket(session);
      const write = socket.write.bind(socket) as (chunk: unknown) => boolean;
      socket.write = ((chunk: unknown) => {
        written.push(chunk);
        return write(chunk);
      }) as typeof socket.write;
    }
    const message = prepareMessage("broadcast");
    for (const session of sessions) session.sendPrepared(message);
    expect(await a.next()).toBe("4broadcast");
    expect(await b.next()).toBe("4broadcast");
    expect(written).toHaveLength(2);
    expect(written[0]).toBe(written[1]);
    a.ws.close();
    b.ws.close();
  });

  it("gives polling recipients of a prepared message its polling record", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const { sid } = await handshake(port);
    sessions[0]!.sendPrepared(prepareMessage(Uint8Array.of(1, 2, 3, 4)));
    sessions[0]!.sendPrepared({ data: "plain object" });
    expect((await poll(port, sid)).body).toBe("bAQIDBA==\x1e4plain object");
  });
});

describe("WebSocket closes", () => {
  it("reports transport close when the client closes", async () => {
    const { port, sessions } = await startEngine();
    const client = await wsSession(port);
    const closed = closeReason(sessions[0]!);
    client.ws.close();
    expect((await closed).reason).toBe("transport close");
  });

  it("reports transport close when the client sends a close packet, and closes the socket", async () => {
    const { port, sessions } = await startEngine();
    const client = await wsSession(port);
    const closed = closeReason(sessions[0]!);
    client.ws.send("1");
    expect((await closed).reason).toBe("transport close");
    expect((await client.closed).code).toBe(1000);
  });

  it("closes with parse error and code 1008 on a frame that is not Engine.IO", async () => {
    const { port, sessions } = await startEngine();
    const client = await wsSession(port);
    const closed = closeReason(sessions[0]!);
    client.ws.send("zzz");
    expect((await closed).reason).toBe("parse error");
    expect((await client.closed).code).toBe(1008);
  });

  it("closes with 1009 a message larger than maxHttpBufferSize", async () => {
    const { port, sessions } = await startEngine({ maxHttpBufferSize: 1000 });
    const client = await wsSession(port);
    const closed = closeReason(sessions[0]!);
    client.ws.send("4" + "x".repeat(1000));
    expect((await client.closed).code).toBe(1009);
    expect((await closed).reason).toBe("transport error");
  });

  it("flushes queued frames before the close frame on a forced close", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const client = await wsSession(port);
    const session = sessions[0]!;
    const reasons: string[] = [];
    session.onclose = (reason) => reasons.push(reason);
    session.send("last words");
    session.close();
    expect(reasons).toEqual(["forced close"]);
    expect((await client.closed).code).toBe(1000);
    expect(client.messages.at(-1)).toBe("4last words");
  });
});

describe("outgoing bound", () => {
  /** Sends `chunk` once per turn until `stop()` holds or the session closes. */
  async function pump(session: EngineSession, chunk: string, stop: () => boolean): Promise<void> {
    for (let i = 0; i < 2000 && session.readyState === "open" && !stop(); i++) {
      session.send(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it("closes a session whose peer stopped reading as a slow consumer", async () => {
    const { port, sessions } = await startEngine({ maxBufferedBytes: 256 * 1024 }, { echo: false });
    const client = await wsSession(port);
    (client.ws as unknown as { _socket: Duplex })._socket.pause();
    const session = sessions[0]!;
    const closed = closeReason(session);
    await pump(session, "x".repeat(64 * 1024), () => false);
    const { reason, description } = await closed;
    expect(reason).toBe("slow consumer");
    expect(description).toMatchObject({ code: "PW_ERR_ENGINE_SLOW_CONSUMER" });
    client.ws.terminate();
  });

  it("ends a peer that keeps pinging without reading its pongs as a slow consumer", async () => {
    const { port, sessions } = await startEngine({ maxBufferedBytes: 64 * 1024 }, { echo: false });
    const raw = await rawWebSocket(port, eio("", "websocket"));
    raw.socket.pause();
    await until(() => sessions.length === 1, "the session");
    const closed = closeReason(sessions[0]!);
    const ping = clientFrame(0x9, Buffer.alloc(125, 0x70));
    const burst = Buffer.concat(Array.from({ length: 4000 }, () => ping));
    for (let i = 0; i < 200 && sessions[0]!.readyState === "open"; i++) {
      raw.socket.write(burst);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await closed).reason).toBe("slow consumer");
    raw.socket.destroy();
  });

  it("drops volatile messages while earlier writes are still buffered", async () => {
    const { port, sessions } = await startEngine({ maxBufferedBytes: 1e9 }, { echo: false });
    const client = await wsSession(port);
    const socket = (client.ws as unknown as { _socket: Duplex })._socket;
    socket.pause();
    const session = sessions[0]!;
    await pump(session, "x".repeat(64 * 1024), () => rawSocket(session).writableLength > 0);
    session.send("volatile", { volatile: true });
    session.send("kept");
    socket.resume();
    await until(() => client.messages.at(-1) === "4kept", "the last message");
    expect(client.messages).not.toContain("4volatile");
    session.send("volatile now", { volatile: true });
    await until(() => client.messages.at(-1) === "4volatile now", "a volatile message");
    client.ws.close();
  });
});

describe("control frames", () => {
  it("answers a ping frame with a pong carrying its data", async () => {
    const { port } = await startEngine();
    const client = await wsSession(port);
    const pong = new Promise<Buffer>((resolve) => client.ws.once("pong", resolve));
    client.ws.ping(Buffer.from("are you there"));
    expect((await pong).toString()).toBe("are you there");
    client.ws.close();
  });

  it("answers a ping with a pong when permessage-deflate is negotiated", async () => {
    const { port } = await startEngine({ perMessageDeflate: { threshold: 0 } });
    const client = await openWs(port, undefined, { perMessageDeflate: true });
    expect(client.ws.extensions).toContain("permessage-deflate");
    const pong = new Promise<Buffer>((resolve) => client.ws.once("pong", resolve));
    client.ws.ping(Buffer.alloc(0));
    expect((await pong).length).toBe(0);
    client.ws.close();
  });
});

describe("permessage-deflate", () => {
  it("negotiates compression when enabled and still exchanges every kind of message", async () => {
    const { port, sessions } = await startEngine({ perMessageDeflate: { threshold: 0 } });
    const client = await openWs(port, undefined, { perMessageDeflate: true });
    expect(client.ws.extensions).toContain("permessage-deflate");
    await client.next();
    const long = "z".repeat(5000);
    client.ws.send("4" + long);
    expect(await client.next()).toBe("4" + long);
    client.ws.send(Uint8Array.of(4, 5));
    expect(await client.next()).toEqual(Buffer.from([4, 5]));
    sessions[0]!.sendPrepared(prepareMessage("prepared"));
    sessions[0]!.sendPrepared(prepareMessage(Uint8Array.of(6)));
    expect(await client.next()).toBe("4prepared");
    expect(await client.next()).toEqual(Buffer.from([6]));
    client.ws.close();
  });

  it("does not negotiate compression by default", async () => {
    const { port } = await startEngine();
    const client = await openWs(port, undefined, { perMessageDeflate: true });
    expect(client.ws.extensions).toBe("");
    client.ws.close();
  });
});

describe("session events", () => {
  it("carries no emitter until someone listens", async () => {
    const { port, sessions } = await startEngine();
    const client = await wsSession(port);
    client.ws.send("4x");
    await client.next();
    expect((sessions[0] as unknown as { emitter: unknown }).emitter).toBeNull();
    client.ws.close();
  });

  it("emits packet, message, packetCreate and drain to listeners", async () => {
    const { port, sessions } = await startEngine();
    const client = await wsSession(port);
    const session = sessions[0]!;
    const events: string[] = [];
    session.on("packet", (p) => events.push(`packet:${p.type}`));
    session.on("message", (d) => events.push(`message:${String(d)}`));
    session.on("packetCreate", (p) => events.push(`packetCreate:${String(p.data)}`));
    session.once("drain", () => events.push("drain"));
    client.ws.send("4hi");
    await client.next();
    expect(events).toEqual(["packet:message", "message:hi", "packetCreate:hi", "drain"]);
    const listener = () => events.push("late");
    session.on("message", listener);
    session.off("message", listener);
    client.ws.close();
  });
});
