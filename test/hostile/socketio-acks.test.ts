// RELIABILITY 3b, B7: a client that never acknowledges. Server level, on a hand-driven
// clock: timeouts fire as errors, the rest are cleared on disconnect, the ack map
// returns to 0, and the pending-ack cap holds.
import { describe, expect, it } from "vitest";
import type { PushwireError, Socket } from "../../src/index.js";
import { fakeServer, type FakeServer } from "../server/fake.js";

async function silentClient(server: FakeServer) {
  let socket!: Socket;
  server.io.on("connection", (s) => (socket = s));
  const conn = await server.connect();
  conn.clear();
  return { socket, conn };
}

const N = 100_000;

describe("B7 acknowledgements a client never sends", () => {
  it("B7 fires the timeout of 10^5 unanswered emits and returns the ack map to 0", async () => {
    const server = fakeServer({ maxPendingAcks: N });
    const { socket, conn } = await silentClient(server);
    const codes = new Map<string, number>();
    const callback = (err: PushwireError | null) => {
      const code = err?.code ?? "answered";
      codes.set(code, (codes.get(code) ?? 0) + 1);
    };
    for (let i = 0; i < N; i++) socket.timeout(1000).emit("q", i, callback);
    expect(conn.sent).toHaveLength(N);
    expect(socket.pendingAcks).toBe(N);
    server.clock.advance(999);
    expect(codes.size).toBe(0);
    server.clock.advance(1);
    expect(codes).toEqual(new Map([["PW_ERR_ACK_TIMEOUT", N]]));
    expect(socket.pendingAcks).toBe(0);
  });

  it("B7 clears 10^5 pending acks when the socket disconnects, failing those with a timeout at once", async () => {
    const server = fakeServer({ maxPendingAcks: N });
    const { socket, conn } = await silentClient(server);
    let plainCalls = 0;
    let disconnected = 0;
    for (let i = 0; i < N / 2; i++) socket.emit("q", () => plainCalls++);
    for (let i = 0; i < N / 2; i++) {
      socket.timeout(60_000).emit("q", (err: PushwireError | null) => {
        if (err?.code === "PW_ERR_ACK_DISCONNECTED") disconnected++;
      });
    }
    expect(socket.pendingAcks).toBe(N);
    conn.drop("transport close");
    expect(socket.pendingAcks).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(disconnected).toBe(N / 2);
    expect(plainCalls).toBe(0);
    server.clock.advance(60_000); // nothing left to expire
    expect(disconnected).toBe(N / 2);
  });

  it("B7 holds a socket to maxPendingAcks (10^4 by default): later emits fail at once, unsent", async () => {
    const server = fakeServer();
    const { socket, conn } = await silentClient(server);
    let limited = 0;
    for (let i = 0; i < N; i++) {
      socket.timeout(1000).emit("q", (err: PushwireError | null) => {
        if (err?.code === "PW_ERR_ACK_LIMIT") limited++;
      });
    }
    expect(socket.pendingAcks).toBe(10_000);
    expect(conn.sent).toHaveLength(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(limited).toBe(N - 10_000);
    server.clock.advance(1000);
    expect(socket.pendingAcks).toBe(0);
  });

  it("B7 forgets a timed-out broadcast ack on every recipient", async () => {
    const server = fakeServer();
    const sockets: Socket[] = [];
    server.io.on("connection", (s) => sockets.push(s));
    for (let i = 0; i < 3; i++) await server.connect();
    const failure = server.io
      .timeout(10)
      .emitWithAck("poll")
      .catch((err: unknown) => err);
    expect(sockets.map((s) => s.pendingAcks)).toEqual([1, 1, 1]);
    expect(await failure).toMatchObject({ code: "PW_ERR_ACK_TIMEOUT", responses: [] });
    expect(sockets.map((s) => s.pendingAcks)).toEqual([0, 0, 0]);
  });
});
