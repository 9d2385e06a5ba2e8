// Reconnection, dead-server detection and connection state recovery, run against every
// server target. Network faults come from a TCP proxy between client and server.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Clients, once, Proxy, startServer, targets, type Running } from "./helpers.js";

const fast = { reconnectionDelay: 10, reconnectionDelayMax: 20 };

describe.each(targets)("client reconnection against $name", (target) => {
  let server: Running;
  let proxy: Proxy;
  const clients = new Clients();

  async function setUp(options: Record<string, unknown> = {}): Promise<void> {
    server = await startServer(target, options);
    proxy = await new Proxy(server.port).listen();
  }

  const viaProxy = (nsp = "") => `http://127.0.0.1:${proxy.port}${nsp}`;

  beforeEach(async () => {
    await setUp();
  });

  afterEach(async () => {
    clients.closeAll();
    await proxy.close();
    await server.close();
  });

  for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
    it(`reconnects after the connection drops (${transports.join("+")}), with reconnect_attempt and reconnect`, async () => {
      const socket = clients.open(viaProxy(), { transports, ...fast });
      await once(socket, "connect");
      if (transports.length === 2) await once(socket.io.engine!, "upgrade");
      const firstId = socket.id;
      const events: string[] = [];
      socket.io.on("reconnect_attempt", (n: number) => events.push(`attempt ${n}`));
      socket.io.on("reconnect", (n: number) => events.push(`reconnect ${n}`));
      const disconnected = once(socket, "disconnect");
      proxy.reset();
      const [reason] = await disconnected;
      expect(["transport close", "transport error"]).toContain(reason);
      expect(socket.active).toBe(true);
      expect(socket.connected).toBe(false);
      await once(socket, "connect");
      expect(socket.id).not.toBe(firstId);
      expect(events[0]).toBe("attempt 1");
      expect(events.at(-1)).toMatch(/^reconnect \d+$/);
    });
  }

  it("sends the emits made while disconnected after reconnecting, in order", async () => {
    const seen: number[] = [];
    server.io.on("connection", (s: any) =>
      s.on("n", (n: number, ack?: () => void) => {
        seen.push(n);
        ack?.();
      }),
    );
    const socket = clients.open(viaProxy(), { transports: ["websocket"], ...fast });
    await once(socket, "connect");
    await new Promise<void>((resolve) => socket.emit("n", 0, () => resolve()));
    const disconnected = once(socket, "disconnect");
    proxy.reset();
    await disconnected;
    for (let i = 1; i <= 3; i++) socket.emit("n", i);
    await once(socket, "connect");
    await new Promise<void>((resolve) => socket.emit("n", 4, () => resolve()));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it("gives up after reconnectionAttempts: one reconnect_error per attempt, then reconnect_failed", async () => {
    await proxy.close();
    const events: string[] = [];
    const socket = clients.open(viaProxy(), { reconnectionAttempts: 2, ...fast });
    socket.on("connect_error", () => events.push("connect_error"));
    socket.io.on("reconnect_attempt", (n: number) => events.push(`attempt ${n}`));
    socket.io.on("reconnect_error", () => events.push("reconnect_error"));
    await once(socket.io, "reconnect_failed");
    expect(events).toEqual([
      "connect_error",
      "attempt 1",
      "connect_error",
      "reconnect_error",
      "attempt 2",
      "connect_error",
      "reconnect_error",
    ]);
    proxy = await new Proxy(server.port).listen();
  });

  it("reports a refused connection as a transport error", async () => {
    await proxy.close();
    const socket = clients.open(viaProxy(), { reconnection: false });
    const [err] = await once(socket, "connect_error");
    expect(err.code).toBe("PW_ERR_CLIENT_TRANSPORT_ERROR");
    expect(err.message).toBe("fetch read error");
    proxy = await new Proxy(server.port).listen();
  });

  it("does not reconnect when reconnection is false", async () => {
    let attempts = 0;
    const socket = clients.open(viaProxy(), { transports: ["websocket"], reconnection: false });
    socket.io.on("reconnect_attempt", () => attempts++);
    await once(socket, "connect");
    const closed = once(socket.io, "close");
    proxy.reset();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(attempts).toBe(0);
    expect(socket.connected).toBe(false);
  });

  it("fails the connection with 'timeout' when the server never answers the handshake", async () => {
    proxy.blackhole();
    const socket = clients.open(viaProxy(), { timeout: 50, reconnection: false });
    const [err] = await once(socket, "connect_error");
    expect(err.message).toBe("timeout");
    expect(err.code).toBe("PW_ERR_CLIENT_CONNECT_TIMEOUT");
  });

  it("detects a silent server after pingInterval + pingTimeout and reconnects when it is back", async () => {
    await proxy.close();
    await server.close();
    await setUp({ pingInterval: 40, pingTimeout: 40 });
    const socket = clients.open(viaProxy(), { transports: ["websocket"], ...fast });
    await once(socket, "connect");
    const disconnected = once(socket, "disconnect");
    proxy.blackhole();
    const [reason] = await disconnected;
    expect(reason).toBe("ping timeout");
    proxy.restore();
    await once(socket, "connect");
    expect(socket.connected).toBe(true);
  });

  it("recovers the session after a drop when the server has connection state recovery", async () => {
    await proxy.close();
    await server.close();
    await setUp({ connectionStateRecovery: { maxDisconnectionDuration: 60_000 } });
    const socket = clients.open(viaProxy(), { transports: ["websocket"], ...fast });
    await once(socket, "connect");
    expect(socket.recovered).toBe(false);
    const id = socket.id;
    const first = once(socket, "tick");
    server.io.emit("tick", 1);
    await first;
    const disconnected = once(socket, "disconnect");
    proxy.reset();
    await disconnected;
    // Wait until the server noticed, then emit what the client must get on recovery.
    while (server.io.of("/").sockets.size > 0) await new Promise((r) => setTimeout(r, 5));
    server.io.emit("tick", 2);
    server.io.emit("tick", 3);
    const ticks: number[] = [];
    socket.on("tick", (n: number) => ticks.push(n));
    await once(socket, "connect");
    expect(socket.recovered).toBe(true);
    expect(socket.id).toBe(id);
    expect(ticks).toEqual([2, 3]);
  });
});
