// pushwire/testing's SocketIOTestClient against the socket.io-style Server: the real
// client over the loopback, with Flask-SocketIO's test client API.
import { afterEach, describe, expect, it } from "vitest";
import { Server, type Socket } from "../../src/index.js";
import { SocketIOTestClient } from "../../src/testing/index.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function server(): Server {
  const io = new Server({ serveClient: false });
  cleanups.push(() => io.close());
  return io;
}

async function client(
  io: Server,
  opts: ConstructorParameters<typeof SocketIOTestClient>[1] = {},
): Promise<SocketIOTestClient> {
  const c = await new SocketIOTestClient(io, opts).ready;
  cleanups.push(() => c.close());
  return c;
}

describe("SocketIOTestClient", () => {
  it("connects the namespace given, and lists what the connection listener sent", async () => {
    const io = server();
    io.of("/chat").on("connection", (socket) => {
      socket.emit("welcome", { id: socket.id });
      socket.send("hi");
    });
    const c = await client(io, { namespace: "/chat" });
    expect(c.isConnected()).toBe(true);
    expect(c.isConnected("/")).toBe(false);
    expect(c.getReceived()).toEqual([
      { name: "welcome", args: [{ id: c.sid() }], namespace: "/chat" },
      { name: "message", args: ["hi"], namespace: "/chat" },
    ]);
    expect(c.getReceived()).toEqual([]); // cleared by the previous call
  });

  it("resolves emit with the acknowledgement: none, one value, or several as an array", async () => {
    const io = server();
    io.on("connection", (socket) => {
      socket.on("none", (ack: () => void) => ack());
      socket.on("sum", (a: number, b: number, ack: (n: number) => void) => ack(a + b));
      socket.on("pair", (ack: (a: string, b: string) => void) => ack("x", "y"));
    });
    const c = await client(io);
    expect(await c.emit("none")).toBeUndefined();
    expect(await c.emit("sum", 1, 2)).toBe(3);
    expect(await c.emit("pair")).toEqual(["x", "y"]);
  });

  it("resolves emit of an event the server does not listen to once the server has read it", async () => {
    const io = server();
    const seen: string[] = [];
    io.on("connection", (socket) => socket.onAnyOutgoing(() => {}));
    io.of("/").use((socket, next) => {
      socket.use(([event], nxt) => {
        seen.push(event);
        nxt();
      });
      next();
    });
    const c = await client(io);
    expect(await c.emit("nobody_listens", 1)).toBeUndefined();
    expect(seen).toEqual(["nobody_listens"]);
  });

  it("carries binary arguments both ways", async () => {
    const io = server();
    io.on("connection", (socket) => {
      socket.on("reverse", (bytes: Buffer, ack: (b: Buffer) => void) =>
        ack(Buffer.from([...bytes].reverse())),
      );
    });
    const c = await client(io);
    const answer = (await c.emit("reverse", Buffer.from([1, 2, 3]))) as Buffer;
    expect([...answer]).toEqual([3, 2, 1]);
  });

  it("picks the namespace from a trailing { namespace } and keeps each namespace's list apart", async () => {
    const io = server();
    for (const name of ["/a", "/b"]) {
      io.of(name).on("connection", (socket) => {
        socket.on("echo", (x: unknown, ack: (x: unknown) => void) => {
          socket.emit("echoed", x);
          ack(name);
        });
      });
    }
    const c = await client(io, { namespace: "/a" });
    await c.connect("/b");
    expect(await c.emit("echo", 1)).toBe("/a");
    expect(await c.emit("echo", 2, { namespace: "/b" })).toBe("/b");
    expect(c.getReceived("/b")).toEqual([{ name: "echoed", args: [2], namespace: "/b" }]);
    expect(c.getReceived()).toEqual([{ name: "echoed", args: [1], namespace: "/a" }]);
  });

  it("sends an unnamed message with send", async () => {
    const io = server();
    io.on("connection", (socket) => {
      socket.on("message", (text: string, ack: (t: string) => void) => ack(text.toUpperCase()));
    });
    const c = await client(io);
    expect(await c.send("hello")).toBe("HELLO");
  });

  it("shows the server the auth, headers and query it was given", async () => {
    const io = server();
    let handshake: Socket["handshake"] | undefined;
    io.on("connection", (socket) => (handshake = socket.handshake));
    await client(io, { auth: { token: "t1" }, headers: { "X-User": "ann" }, query: { v: "2" } });
    expect(handshake?.auth).toEqual({ token: "t1" });
    expect(handshake?.headers["x-user"]).toBe("ann");
    expect(handshake?.query.v).toBe("2");
  });

  it("reports a refused namespace with the server's message and data, and is not connected", async () => {
    const io = server();
    io.of("/private").use((_socket, next) =>
      next(Object.assign(new Error("not authorized"), { data: { retry: false } })),
    );
    const c = await client(io, { namespace: "/private" });
    expect(c.isConnected()).toBe(false);
    expect(c.connectError()).toEqual({ message: "not authorized", data: { retry: false } });
    await expect(c.emit("x")).rejects.toMatchObject({ code: "PW_ERR_TESTING_NOT_CONNECTED" });
  });

  it("disconnects one namespace and keeps the others; the server sees a client namespace disconnect", async () => {
    const io = server();
    const reasons: string[] = [];
    io.of("/a").on("connection", (s) => s.on("disconnect", (r) => reasons.push(`/a ${r}`)));
    io.of("/b").on("connection", (s) => s.on("disconnect", (r) => reasons.push(`/b ${r}`)));
    const c = await client(io, { namespace: "/a" });
    await c.connect("/b");
    await c.disconnect("/a");
    expect(reasons).toEqual(["/a client namespace disconnect"]);
    expect(c.isConnected("/a")).toBe(false);
    expect(c.isConnected("/b")).toBe(true);
    await c.connect("/a");
    expect(c.isConnected("/a")).toBe(true);
  });

  it("answers the server's acknowledgement requests with its handlers' return values", async () => {
    const io = server();
    let answer: unknown;
    io.on("connection", (socket) => {
      socket.on("ask", async (ack: () => void) => {
        answer = await socket.timeout(5000).emitWithAck("question", 20);
        ack();
      });
    });
    const c = await client(io);
    c.on("question", async (n) => (n as number) * 2 + 2);
    await c.emit("ask");
    expect(answer).toBe(42);
    expect(c.getReceived()).toEqual([{ name: "question", args: [20], namespace: "/" }]);
  });

  it("rejects emit with PW_ERR_ACK_TIMEOUT when a listener never acknowledges", async () => {
    const io = server();
    io.on("connection", (socket) => socket.on("silent", () => {}));
    const c = await client(io, { ackTimeout: 1 });
    await expect(c.emit("silent")).rejects.toMatchObject({ code: "PW_ERR_ACK_TIMEOUT" });
  });

  it("is disconnected once the server disconnects it, and close ends the connection", async () => {
    const io = server();
    io.on("connection", (socket) => socket.on("kick", () => socket.disconnect()));
    const c = await client(io);
    // The listener disconnects instead of answering: the pending emit learns why.
    await expect(c.emit("kick")).rejects.toMatchObject({ code: "PW_ERR_ACK_DISCONNECTED" });
    expect(c.isConnected()).toBe(false);
    const other = await client(io);
    await other.close();
    expect(other.isConnected()).toBe(false);
    expect(io.engine).toBeUndefined(); // no network was involved
  });
});
