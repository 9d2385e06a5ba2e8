// RELIABILITY 3b, B2 and B3: clients that stop reading. The server holds each session to
// maxBufferedBytes: volatile packets are dropped as soon as a client falls behind, and a
// client past the bound is disconnected with the reason `slow consumer`, while clients
// in the same broadcast get every packet in order.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Socket as NetSocket } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { EngineSession } from "../../src/engine/index.js";
import type { Socket } from "../../src/index.js";
import { FakeClock } from "../support/fake-clock.js";
import { closeAll, hostile, type RawClient } from "./socketio-harness.js";
import { request, until } from "../engine/harness.js";

const drops: { session: EngineSession; reason: string; bytes: number }[] = [];
const onDrop = (message: unknown) => drops.push(message as (typeof drops)[number]);
subscribe("pushwire:engine:drop", onDrop);

afterEach(async () => {
  drops.length = 0;
  await closeAll();
});

afterAll(() => unsubscribe("pushwire:engine:drop", onDrop));

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** The event names and sequence numbers a raw client received, in order. */
function sequence(packets: (string | Buffer)[]): number[] {
  return packets
    .filter((p): p is string => typeof p === "string" && p.startsWith('42["seq"'))
    .map((p) => (JSON.parse(p.slice(2)) as [string, number])[1]);
}

describe("B2 a WebSocket client that stops reading", () => {
  it("B2 drops volatile packets first, then disconnects it with slow consumer at maxBufferedBytes; healthy clients get everything in order", async () => {
    const cap = 64 * 1024;
    const server = await hostile({ maxBufferedBytes: cap });
    const slow = await server.connected();
    const healthy: RawClient[] = [];
    for (let i = 0; i < 3; i++) healthy.push(await server.connected());
    const sockets = [...server.io.sockets.sockets.values()] as Socket[];
    const slowSession = sockets[0]!.conn as unknown as EngineSession;
    const slowReason = new Promise<string>((resolve) => sockets[0]!.on("disconnect", resolve));
    // The slow client stops reading: the kernel buffers fill, then the server's.
    (slow.ws as unknown as { _socket: NetSocket })._socket.pause();

    const payload = "x".repeat(8 * 1024);
    const message = Buffer.byteLength(`42["seq",100000,"${payload}"]`) + 10; // + frame header
    let maxBuffered = 0;
    let sent = 0;
    let volatileSent = 0;
    for (let i = 0; slowSession.readyState === "open" && i < 50_000; i++) {
      if (i % 2 === 0) server.io.emit("seq", sent++, payload);
      else {
        server.io.volatile.emit("v", volatileSent++);
      }
      if (slowSession.readyState === "open") {
        maxBuffered = Math.max(maxBuffered, slowSession.bufferedBytes);
      }
      await turn();
    }
    expect(await slowReason).toBe("slow consumer");
    expect(server.reasons).toEqual(["slow consumer"]);
    // Memory held for the slow client never went past the bound by more than one turn's write.
    expect(maxBuffered).toBeGreaterThan(cap);
    expect(maxBuffered).toBeLessThanOrEqual(cap + message);
    // Volatile packets went first, while it was still connected; the close came last.
    const mine = drops.filter((d) => d.session === slowSession).map((d) => d.reason);
    expect(mine[0]).toBe("volatile");
    expect(mine.at(-1)).toBe("slow consumer");
    expect(mine.filter((r) => r === "slow consumer")).toHaveLength(1);

    // Healthy clients in the same broadcasts: every sequence number, in order.
    for (let i = 0; i < 10; i++) server.io.emit("seq", sent++, "tail");
    for (const client of healthy) {
      await until(() => sequence(client.unread()).length === sent, "every broadcast");
      expect(sequence(client.unread())).toEqual([...Array(sent).keys()]);
      expect(client.isClosed()).toBe(false);
    }
    await server.healthy();
  });
});

describe("B3 a polling client that never polls", () => {
  /** A Socket.IO client on polling: handshake, CONNECT, its answer, then no more GETs. */
  async function connectAndStop(port: number): Promise<string> {
    const open = await request(port, "/socket.io/?EIO=4&transport=polling");
    const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    const path = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    await request(port, path, { method: "POST", body: "40" });
    expect((await request(port, path)).body).toMatch(/^40\{"sid":/);
    return sid;
  }

  it("B3 closes it at pingInterval + pingTimeout when nothing is sent to it", async () => {
    const clock = new FakeClock();
    const server = await hostile({ pingInterval: 1000, pingTimeout: 500, clock });
    await connectAndStop(server.port);
    await until(() => server.io.sockets.sockets.size === 1, "the socket");
    const session = server.io.engine.clients.values().next().value!;
    clock.advance(1499);
    expect(session.readyState).toBe("open");
    expect(session.bufferedBytes).toBe(1); // the ping it never fetched
    clock.advance(1);
    expect(session.readyState).toBe("closed");
    await until(() => server.reasons.length === 1, "the disconnect");
    expect(server.reasons).toEqual(["ping timeout"]);
    expect(server.io.engine.clientsCount).toBe(0);
  });

  it("B3 caps its queue and closes it with slow consumer when broadcasts pile up", async () => {
    const cap = 64 * 1024;
    const server = await hostile({ maxBufferedBytes: cap });
    await connectAndStop(server.port);
    await until(() => server.io.sockets.sockets.size === 1, "the socket");
    const session = server.io.engine.clients.values().next().value!;
    const payload = "y".repeat(4096);
    const message = `42["seq",1000,"${payload}"]`.length + 1;
    let maxQueued = 0;
    for (let i = 0; session.readyState === "open" && i < 1000; i++) {
      server.io.emit("seq", i, payload);
      server.io.volatile.emit("v", i);
      if (session.readyState === "open") maxQueued = Math.max(maxQueued, session.bufferedBytes);
      await turn();
    }
    expect(session.readyState).toBe("closed");
    expect(server.reasons).toEqual(["slow consumer"]);
    expect(maxQueued).toBeGreaterThan(cap);
    expect(maxQueued).toBeLessThanOrEqual(cap + message);
    const mine = drops.filter((d) => d.session === session).map((d) => d.reason);
    expect(mine[0]).toBe("volatile");
    expect(mine.at(-1)).toBe("slow consumer");
    await server.healthy();
  });
});
