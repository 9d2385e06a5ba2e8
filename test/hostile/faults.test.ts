// RELIABILITY 3c, C6: timeouts. A client that stops answering pings, a half-open TCP
// path, a blocked event loop, a wall clock that jumps, and an Engine.IO session that
// never connects a namespace: each ends where the heartbeat, the monotonic clock or
// connectTimeout says, and nothing else.
import { io as ioClient, type Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { systemClock } from "../../src/engine/scheduler.js";
import type { EngineSession } from "../../src/engine/index.js";
import { FakeClock } from "../support/fake-clock.js";
import { until } from "../engine/harness.js";
import { spawnServer, type ChildServer } from "./child.js";
import { startProxy, type Proxy } from "./proxy.js";
import { closeAll, hostile } from "./socketio-harness.js";

const clients: ClientSocket[] = [];
const raws: WebSocket[] = [];
const proxies: Proxy[] = [];
const children: ChildServer[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const socket of clients.splice(0)) socket.close();
  for (const ws of raws.splice(0)) ws.terminate();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await Promise.all(children.splice(0).map((c) => c.stop()));
  await closeAll();
});

function client(port: number, opts: Record<string, unknown> = {}): ClientSocket {
  const socket = ioClient(`http://127.0.0.1:${port}`, {
    forceNew: true,
    transports: ["websocket"],
    reconnection: false,
    ...opts,
  });
  clients.push(socket);
  return socket;
}

function next(socket: ClientSocket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}

/** A raw WebSocket that never answers pings; resolves once the open packet came. */
async function silentClient(
  port: number,
  connect: boolean,
): Promise<{
  ws: WebSocket;
  received: string[];
  closed: Promise<{ code: number; reason: string }>;
}> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  raws.push(ws);
  const received: string[] = [];
  ws.on("error", () => {});
  ws.on("message", (data) => received.push(data.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await until(() => received.length === 1, "the open packet");
  if (connect) {
    ws.send("40");
    await until(() => received.length === 2, "the CONNECT answer");
  }
  return { ws, received, closed };
}

describe("C6 timeouts", () => {
  it("C6 closes a client that stops answering pings at pingInterval + pingTimeout", async () => {
    const clock = new FakeClock();
    const server = await hostile({ pingInterval: 1000, pingTimeout: 500, clock });
    const silent = await silentClient(server.port, true);
    clock.advance(1000);
    await until(() => silent.received.includes("2"), "the ping");
    clock.advance(499);
    expect(server.reasons).toEqual([]);
    clock.advance(1);
    await until(() => server.reasons.length === 1, "the disconnect");
    expect(server.reasons).toEqual(["ping timeout"]);
    expect((await silent.closed).code).toBe(1000);
    await server.healthy();
  });

  it("C6 detects a half-open TCP path (a proxy that blackholes) by the heartbeat, on both ends", async () => {
    const server = await hostile({ pingInterval: 100, pingTimeout: 100 });
    const proxy = await startProxy(server.port);
    proxies.push(proxy);
    const socket = client(proxy.port);
    await next(socket, "connect");
    const clientReason = next(socket, "disconnect");
    proxy.blackhole();
    await until(() => server.reasons.length === 1, "the server's disconnect");
    expect(server.reasons).toEqual(["ping timeout"]);
    expect((await clientReason)[0]).toBe("ping timeout");
    expect(server.io.engine.clientsCount).toBe(0);
    await server.healthy();
  });

  it("C6 keeps spurious disconnects bounded after the event loop blocks for 1.5 x pingTimeout, and every client recovers", async () => {
    const pingTimeout = 1000;
    const server = await spawnServer({ pingInterval: 1000, pingTimeout });
    children.push(server);
    const N = 20;
    const sockets = [...Array(N)].map(() =>
      client(server.port, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 }),
    );
    await Promise.all(sockets.map((socket) => next(socket, "connect")));
    let clientDisconnects = 0;
    for (const socket of sockets) socket.on("disconnect", () => clientDisconnects++);
    // The loop blocks right after a round of pings: the pongs arrive while it is blocked.
    await server.call("blockAfterPing", { ms: 1.5 * pingTimeout });
    // Every client is back and answers (those that timed out reconnected).
    await until(() => sockets.every((s) => s.connected), "every client connected");
    const answers = await Promise.all(
      sockets.map((socket) => socket.timeout(5000).emitWithAck("echo", "after")),
    );
    expect(answers).toEqual(Array(N).fill("after"));
    const stats = await server.call<{ reasons: Record<string, number>; sockets: number }>("stats");
    // The server never calls a timeout for a pong it had not read yet (one grace turn
    // after a stall); clients whose own ping timer ran out closed and came back, once.
    expect(stats.reasons["ping timeout"] ?? 0).toBe(0);
    expect(clientDisconnects).toBeLessThanOrEqual(N);
    expect(stats.sockets).toBe(N);
    expect(server.exited()).toBeNull();
  });

  it("C6 keeps session expiry on the monotonic clock when Date jumps an hour", async () => {
    const server = await hostile({ pingInterval: 50, pingTimeout: 50 });
    const alive = await server.connected();
    const session = [...server.io.engine.clients.values()][0] as EngineSession;
    let beats = 0;
    session.on("heartbeat", () => beats++);
    const monotonic = systemClock.now();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 3_600_000);
    expect(systemClock.now() - monotonic).toBeLessThan(3_600_000);
    await until(() => beats >= 3, "three heartbeats after the jump");
    expect(server.reasons).toEqual([]);
    // A silent client is still closed by its deadline, not an hour early or late.
    const opened = systemClock.now();
    const silent = await silentClient(server.port, true);
    await until(() => server.reasons.length === 1, "the silent client's timeout");
    expect(server.reasons).toEqual(["ping timeout"]);
    expect(systemClock.now() - opened).toBeGreaterThanOrEqual(100);
    expect((await silent.closed).code).toBe(1000);
    expect(alive.isClosed()).toBe(false);
  });

  it("C6 closes an Engine.IO session with no Socket.IO CONNECT at connectTimeout", async () => {
    const clock = new FakeClock();
    const server = await hostile({ connectTimeout: 1000, pingInterval: 60_000, clock });
    const silent = await silentClient(server.port, false);
    clock.advance(999);
    expect(server.io.engine.clientsCount).toBe(1);
    clock.advance(1);
    expect(await silent.closed).toEqual({ code: 1000, reason: "forced close" });
    expect(server.io.engine.clientsCount).toBe(0);
    await server.healthy();
  });
});
