import { describe, expect, it, vi } from "vitest";
import type { PushwireError } from "../../src/index.js";
import { type Socket } from "../../src/index.js";
import { announced, fakeServer, sidOf, until, type FakeServer } from "./fake.js";

/** Connects one client to `/` and returns the server-side socket with its connection. */
async function oneSocket(server: FakeServer, auth?: object) {
  let socket!: Socket;
  server.io.on("connection", (s) => (socket = s));
  const conn = await server.connect("/", auth);
  conn.clear();
  return { socket, conn };
}

describe("socket: sending", () => {
  it("encodes an emit as an EVENT packet", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    socket.emit("hello", 1, "two", { three: [3] });
    expect(conn.texts).toEqual(['2["hello",1,"two",{"three":[3]}]']);
  });

  it("sends binary arguments as attachments after a BINARY_EVENT header", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    socket.emit("file", Buffer.from([1, 2, 3]), { name: "x" });
    expect(conn.sent[0]!.data).toBe('51-["file",{"_placeholder":true,"num":0},{"name":"x"}]');
    expect(Buffer.from(conn.sent[1]!.data as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
  });

  it("sends `message` events with send() and write()", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    socket.send("a").write("b");
    expect(conn.texts).toEqual(['2["message","a"]', '2["message","b"]']);
  });

  it("throws PW_ERR_SERVER_RESERVED_EVENT for a reserved event name", async () => {
    const { socket } = await oneSocket(fakeServer());
    for (const name of ["connect", "connect_error", "disconnect", "disconnecting", "newListener"]) {
      expect(() => socket.emit(name)).toThrowError(
        expect.objectContaining({ code: "PW_ERR_SERVER_RESERVED_EVENT" }),
      );
    }
  });

  it("passes volatile and compress to the connection, for the next emit only", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    socket.volatile.compress(false).emit("a");
    socket.emit("b");
    expect(conn.sent.map((m) => m.options)).toEqual([
      { volatile: true, compress: false },
      { volatile: false, compress: true },
    ]);
  });

  it("never marks the parts of a binary packet volatile, so none is dropped alone", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    socket.volatile.emit("bin", new Uint8Array([1]));
    expect(conn.sent.map((m) => m.options?.volatile)).toEqual([false, false]);
  });

  it("calls outgoing catch-all listeners with each event", async () => {
    const { socket } = await oneSocket(fakeServer());
    const seen: unknown[][] = [];
    const listener = (...args: unknown[]) => seen.push(args);
    socket.onAnyOutgoing(listener);
    socket.emit("a", 1);
    socket.to("room").emit("not-to-this-socket");
    socket.join("room");
    socket.nsp.to("room").emit("b", 2);
    expect(socket.listenersAnyOutgoing()).toEqual([listener]);
    socket.offAnyOutgoing(listener);
    socket.emit("c");
    expect(seen).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });
});

describe("socket: receiving", () => {
  it("dispatches events with a number as name", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const got: unknown[] = [];
    socket.on("42", (x) => got.push(x));
    conn.receive('2[42,"n"]');
    expect(got).toEqual(["n"]);
  });

  it("reconstructs binary events", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const got: unknown[] = [];
    socket.on("upload", (name, data) => got.push(name, data));
    conn.receive('51-["upload","a.bin",{"_placeholder":true,"num":0}]');
    conn.receive(new Uint8Array([9, 8]));
    expect(got).toEqual(["a.bin", new Uint8Array([9, 8])]);
  });

  it("calls catch-all listeners before the event's listeners, in order", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const order: string[] = [];
    socket.onAny((name) => order.push(`any:${String(name)}`));
    socket.prependAny((name) => order.push(`first:${String(name)}`));
    socket.on("ev", () => order.push("ev"));
    conn.receive('2["ev"]');
    expect(order).toEqual(["first:ev", "any:ev", "ev"]);
    socket.offAny();
    expect(socket.listenersAny()).toEqual([]);
  });

  it("runs per-packet middleware; next(err) drops the event and emits error", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const got: string[] = [];
    const errors: string[] = [];
    socket.use(([event], next) => (event === "admin" ? next(new Error("forbidden")) : next()));
    socket.on("admin", () => got.push("admin"));
    socket.on("chat", () => got.push("chat"));
    socket.on("error", (err) => errors.push(err.message));
    conn.receive('2["admin"]');
    conn.receive('2["chat"]');
    expect(got).toEqual(["chat"]);
    expect(errors).toEqual(["forbidden"]);
  });

  it("does not throw when a client emits `error` and nobody listens (CVE-2024-38355)", async () => {
    const { conn } = await oneSocket(fakeServer());
    expect(() => conn.receive('2["error","boom"]')).not.toThrow();
    expect(conn.readyState).toBe("open");
  });

  it("runs the connection listeners before the next packet, as socket.io does", () => {
    const server = fakeServer();
    const got: unknown[] = [];
    server.io.on("connection", (socket) => socket.on("early", (x) => got.push(x)));
    const conn = server.open();
    conn.receive("0");
    conn.receive('2["early",1]');
    expect(got).toEqual([1]);
  });

  it("sends what follows a CONNECT answer over WebSocket in a later write, in order", async () => {
    const server = fakeServer();
    server.io.on("connection", (socket) => {
      socket.emit("first");
      socket.emit("second");
    });
    const conn = server.open();
    conn.receive("0");
    await Promise.resolve();
    expect(conn.texts.map((t) => t[0])).toEqual(["0"]);
    await announced();
    expect(conn.texts.slice(1)).toEqual(['2["first"]', '2["second"]']);
  });
});

describe("socket: acknowledgements", () => {
  it("answers an event's ack id with an ACK packet, once", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    socket.on("q", (x, ack) => {
      ack(x + 1);
      ack("again");
    });
    conn.receive('27["q",1]');
    expect(conn.texts).toEqual(["37[2]"]);
  });

  it("answers with a BINARY_ACK when the response holds bytes", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    socket.on("q", (ack) => ack(Buffer.from([7])));
    conn.receive('23["q"]');
    expect(conn.sent[0]!.data).toBe('61-3[{"_placeholder":true,"num":0}]');
  });

  it("calls the emit callback with the client's ACK", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const got: unknown[] = [];
    socket.emit("q", (...args: unknown[]) => got.push(args));
    const id = /^2(\d+)\[/.exec(conn.texts[0]!)![1];
    conn.receive(`3${id}["a",1]`);
    conn.receive(`3${id}["duplicate"]`);
    expect(got).toEqual([["a", 1]]);
    expect(socket.pendingAcks).toBe(0);
  });

  it("resolves emitWithAck with the first argument of the ACK", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const answer = socket.emitWithAck("q", 1);
    conn.receive("30[42]");
    await expect(answer).resolves.toBe(42);
  });

  it("with timeout(), passes null first and the response after", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const got: unknown[] = [];
    socket.timeout(1000).emit("q", (...args: unknown[]) => got.push(args));
    conn.receive('30["ok"]');
    expect(got).toEqual([[null, "ok"]]);
  });

  it("rejects after the timeout with PW_ERR_ACK_TIMEOUT and socket.io's message", async () => {
    const server = fakeServer();
    const { socket } = await oneSocket(server);
    const answer = socket.timeout(1000).emitWithAck("q");
    server.clock.advance(999);
    expect(socket.pendingAcks).toBe(1);
    server.clock.advance(1);
    await expect(answer).rejects.toMatchObject({
      code: "PW_ERR_ACK_TIMEOUT",
      message: "operation has timed out",
    });
    expect(socket.pendingAcks).toBe(0);
  });

  it("ignores an ACK that comes after the timeout", async () => {
    const server = fakeServer();
    const { socket, conn } = await oneSocket(server);
    const calls: unknown[][] = [];
    socket.timeout(10).emit("q", (...args: unknown[]) => calls.push(args));
    server.clock.advance(10);
    conn.receive("30[1]");
    expect(calls).toHaveLength(1);
    expect((calls[0]![0] as PushwireError).code).toBe("PW_ERR_ACK_TIMEOUT");
  });

  it("fails acks with a timeout at once when the socket disconnects, and forgets the others", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const plain = vi.fn();
    const timed = socket.timeout(60_000).emitWithAck("q");
    socket.emit("r", plain);
    expect(socket.pendingAcks).toBe(2);
    conn.drop();
    await expect(timed).rejects.toMatchObject({ code: "PW_ERR_ACK_DISCONNECTED" });
    expect(socket.pendingAcks).toBe(0);
    expect(plain).not.toHaveBeenCalled();
  });

  it("refuses an emit beyond maxPendingAcks with PW_ERR_ACK_LIMIT, without sending it", async () => {
    const { socket, conn } = await oneSocket(fakeServer({ maxPendingAcks: 2 }));
    const errors: string[] = [];
    socket.on("error", (err) => errors.push((err as PushwireError).code));
    socket.emit("a", () => {});
    socket.emit("b", () => {});
    const third = socket.timeout(1000).emitWithAck("c");
    socket.emit("d", () => {});
    await expect(third).rejects.toMatchObject({ code: "PW_ERR_ACK_LIMIT" });
    expect(errors).toEqual(["PW_ERR_ACK_LIMIT"]);
    expect(conn.texts).toEqual(['20["a"]', '21["b"]']);
  });
});

describe("socket: rooms", () => {
  it("is in its own room and the rooms it joins, and leaves them on disconnect", async () => {
    const server = fakeServer();
    const { socket, conn } = await oneSocket(server);
    socket.join(["a", "b"]);
    socket.join("c");
    socket.leave("b");
    expect(socket.rooms).toEqual(new Set([socket.id, "a", "c"]));
    let roomsWhileDisconnecting: Set<string> | undefined;
    socket.on("disconnecting", () => (roomsWhileDisconnecting = socket.rooms));
    conn.drop();
    expect(roomsWhileDisconnecting).toEqual(new Set([socket.id, "a", "c"]));
    expect(socket.rooms).toEqual(new Set());
    expect(server.io.of("/").adapter.rooms.size).toBe(0);
    expect(server.io.of("/").adapter.sids.size).toBe(0);
  });

  it("joins no more than maxRoomsPerSocket rooms and reports PW_ERR_SERVER_ROOM_LIMIT", async () => {
    const { socket } = await oneSocket(fakeServer({ maxRoomsPerSocket: 3 }));
    const errors: string[] = [];
    socket.on("error", (err) => errors.push((err as PushwireError).code));
    socket.join(["a", "b"]);
    socket.join(["a", "c", "d", "e"]);
    expect(socket.rooms).toEqual(new Set([socket.id, "a", "b", "c"]));
    expect(errors).toEqual(["PW_ERR_SERVER_ROOM_LIMIT"]);
  });

  it("broadcasts to the others with socket.broadcast and socket.to()", async () => {
    const server = fakeServer();
    const sockets: Socket[] = [];
    server.io.on("connection", (s) => {
      sockets.push(s);
      s.join("room");
    });
    const [a, b, c] = [await server.connect(), await server.connect(), await server.connect()];
    for (const conn of [a, b, c]) conn.clear();
    sockets[0]!.broadcast.emit("x");
    sockets[0]!.to("room").emit("y");
    sockets[0]!.except(sockets[1]!.id).emit("z");
    expect(a.texts).toEqual([]);
    expect(b.texts).toEqual(['2["x"]', '2["y"]']);
    expect(c.texts).toEqual(['2["x"]', '2["y"]', '2["z"]']);
  });
});

describe("socket: disconnection", () => {
  it("sends DISCONNECT and reports `server namespace disconnect` on disconnect()", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const reasons: string[] = [];
    socket.on("disconnecting", (r) => reasons.push(`disconnecting:${r}`));
    socket.on("disconnect", (r) => reasons.push(`disconnect:${r}`));
    socket.disconnect();
    expect(conn.texts).toEqual(["1"]);
    expect(reasons).toEqual([
      "disconnecting:server namespace disconnect",
      "disconnect:server namespace disconnect",
    ]);
    expect(socket.connected).toBe(false);
    expect(socket.disconnected).toBe(true);
    expect(conn.readyState).toBe("open");
  });

  it("closes the whole connection on disconnect(true)", async () => {
    const server = fakeServer();
    server.io.of("/admin");
    const { socket, conn } = await oneSocket(server);
    const reasons: string[] = [];
    socket.on("disconnect", (r) => reasons.push(r));
    socket.disconnect(true);
    expect(conn.texts).toEqual(["1"]);
    expect(reasons).toEqual(["server namespace disconnect"]);
    // Closed after the DISCONNECT was written; the engine sends its close packet only
    // once the queue is out (test/hostile/shutdown.test.ts replays it over polling).
    expect(conn.closedByServer).toBe(true);
  });

  it("reports `client namespace disconnect` when the client sends DISCONNECT", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const reasons: string[] = [];
    socket.on("disconnect", (r) => reasons.push(r));
    conn.receive("1");
    expect(reasons).toEqual(["client namespace disconnect"]);
    expect(conn.readyState).toBe("open");
  });

  it("reports the engine's reason when the connection ends", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    const reasons: string[] = [];
    socket.on("disconnect", (r) => reasons.push(r));
    conn.drop("ping timeout");
    expect(reasons).toEqual(["ping timeout"]);
  });

  it("ignores events in flight for a namespace the server just disconnected", async () => {
    const { socket, conn } = await oneSocket(fakeServer());
    socket.disconnect();
    conn.receive('2["late"]');
    expect(conn.readyState).toBe("open");
  });
});

describe("socket: handshake", () => {
  it("builds the handshake from the request snapshot and the CONNECT payload", async () => {
    const server = fakeServer();
    let socket!: Socket;
    server.io.on("connection", (s) => (socket = s));
    const conn = server.open({
      url: "/socket.io/?EIO=4&transport=polling&room=1&room=2&x=y",
      headers: { host: "example.com", origin: "https://app.example.com" },
      remoteAddress: "10.0.0.7",
      secure: true,
    });
    conn.receive('0{"token":"abc"}');
    await until(() => conn.texts.length > 0);
    await announced();
    expect(socket.id).toBe(sidOf(conn));
    expect(socket.handshake).toMatchObject({
      address: "10.0.0.7",
      xdomain: true,
      secure: true,
      url: "/socket.io/?EIO=4&transport=polling&room=1&room=2&x=y",
      auth: { token: "abc" },
      headers: { host: "example.com", origin: "https://app.example.com" },
    });
    expect({ ...socket.handshake.query }).toEqual({
      EIO: "4",
      transport: "polling",
      room: ["1", "2"],
      x: "y",
    });
    expect(typeof socket.handshake.issued).toBe("number");
    expect(socket.request.remoteAddress).toBe("10.0.0.7");
    expect(socket.conn).toBe(conn);
    expect(socket.recovered).toBe(false);
    expect(socket.data).toEqual({});
  });
});
