// Events both ways, acknowledgements, binary, buffering and catch-all listeners, run
// against every server target.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PushwireError } from "../../src/errors.js";
import { Clients, many, once, startServer, targets, type Running } from "./helpers.js";

describe.each(targets)("client events against $name", (target) => {
  let server: Running;
  const clients = new Clients();

  beforeEach(async () => {
    server = await startServer(target);
  });

  afterEach(async () => {
    clients.closeAll();
    await server.close();
  });

  /** A connected client and its server-side socket. */
  async function pair(options = {}): Promise<{ socket: ReturnType<Clients["open"]>; s: any }> {
    const serverSide = once(server.io, "connection");
    const socket = clients.open(server.url(), options);
    await once(socket, "connect");
    const [s] = await serverSide;
    return { socket, s };
  }

  it("sends events to the server and receives the server's, with their arguments", async () => {
    const { socket, s } = await pair();
    const received = once(s, "hello");
    socket.emit("hello", "world", 42, { nested: [1, null, true] });
    expect(await received).toEqual(["world", 42, { nested: [1, null, true] }]);
    const back = once(socket, "reply");
    s.emit("reply", "a", { b: 2 });
    expect(await back).toEqual(["a", { b: 2 }]);
  });

  it("emits 'message' with send()", async () => {
    const { socket, s } = await pair();
    const received = once(s, "message");
    socket.send("hi");
    expect(await received).toEqual(["hi"]);
  });

  it("calls an acknowledgement callback with the server's answer", async () => {
    const { socket, s } = await pair();
    s.on("sum", (a: number, b: number, ack: (n: number) => void) => ack(a + b));
    const [answer] = await new Promise<unknown[]>((resolve) =>
      socket.emit("sum", 2, 3, (...args: unknown[]) => resolve(args)),
    );
    expect(answer).toBe(5);
  });

  it("answers the server's acknowledgement requests, once", async () => {
    const { socket, s } = await pair();
    socket.on("question", (q: string, ack: (...a: unknown[]) => void) => {
      ack(q.toUpperCase(), 1);
      ack("ignored");
    });
    const answer = await s.timeout(5000).emitWithAck("question", "why");
    expect(answer).toBe("WHY");
  });

  it("resolves emitWithAck with the answer", async () => {
    const { socket, s } = await pair();
    s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v));
    await expect(socket.emitWithAck("echo", { x: 1 })).resolves.toEqual({ x: 1 });
  });

  it("fails an acknowledgement with PW_ERR_ACK_TIMEOUT when timeout(ms) elapses", async () => {
    const { socket, s } = await pair();
    s.on("silent", () => {});
    const [err] = await new Promise<unknown[]>((resolve) =>
      socket.timeout(30).emit("silent", (...args: unknown[]) => resolve(args)),
    );
    expect(err).toBeInstanceOf(PushwireError);
    expect((err as PushwireError).code).toBe("PW_ERR_ACK_TIMEOUT");
    expect((err as Error).message).toBe("operation has timed out");
    await expect(socket.timeout(30).emitWithAck("silent")).rejects.toMatchObject({
      code: "PW_ERR_ACK_TIMEOUT",
    });
  });

  it("passes null before the answer to a callback with a timeout", async () => {
    const { socket, s } = await pair();
    s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v));
    const args = await new Promise<unknown[]>((resolve) =>
      socket.timeout(5000).emit("echo", 7, (...a: unknown[]) => resolve(a)),
    );
    expect(args).toEqual([null, 7]);
  });

  it("rejects pending emitWithAck calls with PW_ERR_ACK_DISCONNECTED on disconnect", async () => {
    const { socket, s } = await pair();
    s.on("never", () => {});
    const pending = socket.emitWithAck("never");
    socket.disconnect();
    await expect(pending).rejects.toMatchObject({
      code: "PW_ERR_ACK_DISCONNECTED",
      message: "socket has been disconnected",
    });
  });

  it("refuses reserved event names with PW_ERR_CLIENT_RESERVED_EVENT", async () => {
    const { socket } = await pair();
    for (const name of [
      "connect",
      "connect_error",
      "disconnect",
      "disconnecting",
      "newListener",
      "removeListener",
    ]) {
      expect(() => socket.emit(name)).toThrow(
        expect.objectContaining({ code: "PW_ERR_CLIENT_RESERVED_EVENT" }),
      );
    }
  });

  it("carries binary anywhere in the arguments: ArrayBuffer, typed arrays, Buffer, Blob", async () => {
    const { socket, s } = await pair();
    const received = once(s, "files");
    const blob = new Blob([new Uint8Array([7, 7])]);
    socket.emit(
      "files",
      new Uint8Array([1, 2, 3]).buffer,
      { deep: [{ bytes: new Uint16Array([0x0102]) }] },
      Buffer.from("hi"),
      blob,
      "text",
    );
    const [ab, obj, buf, fromBlob, text] = await received;
    expect([...ab]).toEqual([1, 2, 3]);
    expect(obj.deep[0].bytes).toHaveLength(2);
    expect(buf.toString()).toBe("hi");
    expect([...fromBlob]).toEqual([7, 7]);
    expect(text).toBe("text");
  });

  it("hands received binary to listeners as Buffer on Node, in events and acknowledgements", async () => {
    const { socket, s } = await pair();
    s.on("get", (ack: (v: unknown) => void) => ack({ payload: Buffer.from([9, 8, 7]) }));
    const event = once(socket, "bin");
    s.emit("bin", [Buffer.from([1]), { x: Buffer.from([2, 3]) }]);
    const [[a, { x }]] = await event;
    expect(Buffer.isBuffer(a)).toBe(true);
    expect([...a, ...x]).toEqual([1, 2, 3]);
    const answer = (await socket.emitWithAck("get")) as { payload: Buffer };
    expect(Buffer.isBuffer(answer.payload)).toBe(true);
    expect([...answer.payload]).toEqual([9, 8, 7]);
  });

  it("carries binary over WebSocket and over polling (base64)", async () => {
    for (const transports of [["websocket"], ["polling"]]) {
      const { socket, s } = await pair({ transports });
      s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v));
      const answer = (await socket.emitWithAck("echo", new Uint8Array([0, 255, 128]))) as Buffer;
      expect([...answer]).toEqual([0, 255, 128]);
      socket.disconnect();
    }
  });

  it("splits polling payloads at the server's maxPayload instead of being refused", async () => {
    await server.close();
    server = await startServer(target, { maxHttpBufferSize: 300 });
    const seen: number[] = [];
    server.io.on("connection", (s: any) =>
      s.on("chunk", (n: number, _pad: string, ack?: () => void) => {
        seen.push(n);
        ack?.();
      }),
    );
    const socket = clients.open(server.url(), { transports: ["polling"] });
    await once(socket, "connect");
    const pad = "x".repeat(100);
    for (let i = 0; i < 5; i++) socket.emit("chunk", i, pad);
    await new Promise<void>((resolve) => socket.emit("chunk", 5, pad, () => resolve()));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(socket.connected).toBe(true);
  });

  it("buffers emits made before the connection and sends them in order once connected", async () => {
    const seen: number[] = [];
    server.io.on("connection", (s: any) =>
      s.on("n", (n: number, ack?: () => void) => {
        seen.push(n);
        ack?.();
      }),
    );
    const socket = clients.open(server.url());
    for (let i = 0; i < 5; i++) socket.emit("n", i);
    expect(socket.sendBuffer).toHaveLength(5);
    await once(socket, "connect");
    await new Promise<void>((resolve) => socket.emit("n", 5, () => resolve()));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("drops volatile emits while disconnected instead of buffering them", async () => {
    const seen: string[] = [];
    server.io.on("connection", (s: any) =>
      s.on("v", (v: string, ack?: () => void) => {
        seen.push(v);
        ack?.();
      }),
    );
    const socket = clients.open(server.url(), { autoConnect: false });
    socket.volatile.emit("v", "dropped");
    expect(socket.sendBuffer).toHaveLength(0);
    socket.connect();
    await once(socket, "connect");
    await until(() => socket.io.engine!.transport.writable);
    socket.volatile.emit("v", "sent");
    await new Promise<void>((resolve) => socket.emit("v", "last", () => resolve()));
    expect(seen).toEqual(["sent", "last"]);
  });

  it("retries an emit until it is acknowledged (retries + ackTimeout), one at a time and in order", async () => {
    const attempts: Record<string, number> = {};
    server.io.on("connection", (s: any) =>
      s.on("job", (name: string, ack: (v: string) => void) => {
        attempts[name] = (attempts[name] ?? 0) + 1;
        // The first try of each job gets no answer.
        if (attempts[name] > 1) ack(`done ${name}`);
      }),
    );
    const socket = clients.open(server.url(), { retries: 3, ackTimeout: 40 });
    const results = await Promise.all(
      ["a", "b"].map(
        (name) =>
          new Promise<unknown[]>((resolve) =>
            socket.emit("job", name, (...args: unknown[]) => resolve(args)),
          ),
      ),
    );
    expect(results).toEqual([
      [null, "done a"],
      [null, "done b"],
    ]);
    expect(attempts).toEqual({ a: 2, b: 2 });
  });

  it("gives up after the retries with the timeout error", async () => {
    let tries = 0;
    server.io.on("connection", (s: any) => s.on("lost", () => tries++));
    const socket = clients.open(server.url(), { retries: 2, ackTimeout: 20 });
    const [err] = await new Promise<unknown[]>((resolve) =>
      socket.emit("lost", (...args: unknown[]) => resolve(args)),
    );
    expect((err as PushwireError).code).toBe("PW_ERR_ACK_TIMEOUT");
    expect(tries).toBe(3);
  });

  it("calls onAny and prependAny listeners with the event name first, and removes them with offAny", async () => {
    const { socket, s } = await pair();
    const calls: string[] = [];
    const any = (event: string, arg: unknown) => calls.push(`any:${event}:${String(arg)}`);
    socket.onAny(any);
    socket.prependAny((event: string) => calls.push(`first:${event}`));
    expect(socket.listenersAny()).toHaveLength(2);
    const first = once(socket, "e1");
    s.emit("e1", 1);
    await first;
    socket.offAny(any);
    const second = once(socket, "e2");
    s.emit("e2", 2);
    await second;
    socket.offAny();
    expect(socket.listenersAny()).toHaveLength(0);
    expect(calls).toEqual(["first:e1", "any:e1:1", "first:e2"]);
  });

  it("calls onAnyOutgoing listeners for each emit, and stops after offAnyOutgoing", async () => {
    const { socket, s } = await pair();
    const sent: unknown[][] = [];
    const listener = (...args: unknown[]) => sent.push(args);
    socket.onAnyOutgoing(listener);
    const got = many(s, "out", 2);
    socket.emit("out", 1);
    socket.emit("out", 2);
    socket.offAnyOutgoing(listener);
    socket.emit("out", 3);
    await got;
    expect(sent).toEqual([
      ["out", 1],
      ["out", 2],
    ]);
    expect(socket.listenersAnyOutgoing()).toHaveLength(0);
  });

  it("lists, counts and removes listeners like socket.io-client's emitter", async () => {
    const { socket } = await pair();
    const a = () => {};
    const b = () => {};
    socket.on("x", a);
    socket.once("x", b);
    expect(socket.listeners("x")).toEqual([a, b]);
    expect(socket.hasListeners("x")).toBe(true);
    socket.off("x", b);
    expect(socket.listeners("x")).toEqual([a]);
    socket.removeAllListeners("x");
    expect(socket.hasListeners("x")).toBe(false);
  });

  it("receives room broadcasts only while in the room", async () => {
    const one = await pair();
    const two = await pair();
    one.s.join("room1");
    const heard: string[] = [];
    one.socket.on("news", (v: string) => heard.push(`one:${v}`));
    two.socket.on("news", (v: string) => heard.push(`two:${v}`));
    const got = once(one.socket, "news");
    server.io.to("room1").emit("news", "r1");
    await got;
    const everyone = Promise.all([once(one.socket, "news"), once(two.socket, "news")]);
    server.io.emit("news", "all");
    await everyone;
    expect(heard.sort()).toEqual(["one:all", "one:r1", "two:all"]);
  });
});

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}
