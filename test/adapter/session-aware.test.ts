import { describe, expect, it } from "vitest";
import { SessionAwareAdapter } from "../../src/adapter/index.js";
import type { RecoveryConfig } from "../../src/adapter/index.js";
import { PacketType, type Packet } from "../../src/protocol/index.js";
import { FakeHost } from "./host.js";

class ClockedAdapter extends SessionAwareAdapter {
  time = 0;
  protected override now(): number {
    return this.time;
  }
}

function setup(config: Partial<RecoveryConfig> = {}) {
  const host = new FakeHost();
  host.recovery = {
    maxDisconnectionDuration: 1000,
    maxBufferedPackets: 100,
    maxBufferedBytes: 1_000_000,
    ...config,
  };
  const adapter = new ClockedAdapter(host);
  host.adapter = adapter;
  const socket = host.add("s1");
  return { host, adapter, socket };
}

const event = (...data: unknown[]): Packet => ({ type: PacketType.EVENT, nsp: "/", data });

/** Broadcasts to everyone and returns the offset appended to the packet. */
function broadcast(adapter: SessionAwareAdapter, data: unknown[], rooms: string[] = []): string {
  const packet = event(...data);
  adapter.broadcast(packet, { rooms: new Set(rooms), except: new Set() });
  const args = packet.data as unknown[];
  return args[args.length - 1] as string;
}

const session = { sid: "s1", pid: "pid-1", rooms: ["s1", "a"], data: { n: 1 } };

describe("session-aware adapter", () => {
  it("appends an offset to replayable broadcasts only", () => {
    const { adapter, socket } = setup();
    const offset = broadcast(adapter, ["x"]);
    expect(offset).toMatch(/^[A-Za-z0-9_-]{8}-1$/);
    adapter.broadcast({ ...event("y"), id: 3 }, { rooms: new Set() });
    adapter.broadcast(event("z"), { rooms: new Set(), flags: { volatile: true } });
    expect(socket.texts).toEqual([`2["x","${offset}"]`, '23["y"]', '2["z"]']);
    expect(adapter.buffered.packets).toBe(1);
  });

  it("restores a session with the packets sent after the offset to its rooms", async () => {
    const { adapter } = setup();
    const offset = broadcast(adapter, ["seen"]);
    adapter.persistSession(session);
    broadcast(adapter, ["to a"], ["a"]);
    broadcast(adapter, ["to b"], ["b"]);
    const packet = event("all but a");
    adapter.broadcast(packet, { rooms: new Set(), except: new Set(["a"]) });
    broadcast(adapter, ["to everyone"]);
    const restored = await adapter.restoreSession("pid-1", offset);
    expect(restored?.sid).toBe("s1");
    expect(restored?.data).toEqual({ n: 1 });
    expect(restored?.missedPackets.map((p) => p[0])).toEqual(["to a", "to everyone"]);
  });

  it("restores a session once only", async () => {
    const { adapter } = setup();
    const offset = broadcast(adapter, ["x"]);
    adapter.persistSession(session);
    expect(await adapter.restoreSession("pid-1", offset)).not.toBeNull();
    expect(await adapter.restoreSession("pid-1", offset)).toBeNull();
  });

  it("forgets a session after maxDisconnectionDuration", async () => {
    const { adapter } = setup();
    const offset = broadcast(adapter, ["x"]);
    adapter.persistSession(session);
    adapter.time = 1001;
    expect(await adapter.restoreSession("pid-1", offset)).toBeNull();
  });

  it("drops expired sessions from memory when new ones are kept", () => {
    const { adapter } = setup();
    adapter.persistSession(session);
    adapter.time = 2000;
    adapter.persistSession({ ...session, pid: "pid-2" });
    expect(adapter.buffered.sessions).toBe(1);
  });

  it("holds the buffer to its packet count", async () => {
    const { adapter } = setup({ maxBufferedPackets: 3 });
    const first = broadcast(adapter, [0]);
    const offsets = [1, 2, 3, 4].map((i) => broadcast(adapter, [i]));
    expect(adapter.buffered.packets).toBe(3);
    adapter.persistSession(session);
    // The packet after `first` was dropped: recovering from it would leave a gap.
    expect(await adapter.restoreSession("pid-1", first)).toBeNull();
    adapter.persistSession(session);
    // The client saw packet 1 (evicted), and 2..4 are all still here.
    const restored = await adapter.restoreSession("pid-1", offsets[0]!);
    expect(restored?.missedPackets.map((p) => p[0])).toEqual([2, 3, 4]);
  });

  it("holds the buffer to its byte size", () => {
    const { adapter } = setup({ maxBufferedBytes: 100 });
    for (let i = 0; i < 10; i++) broadcast(adapter, ["x".repeat(30)]);
    // Each packet is about 50 characters: two fit.
    expect(adapter.buffered.bytes).toBeLessThanOrEqual(100);
    expect(adapter.buffered.packets).toBe(2);
  });

  it("drops packets older than maxDisconnectionDuration", () => {
    const { adapter } = setup();
    broadcast(adapter, ["old"]);
    adapter.time = 1500;
    broadcast(adapter, ["new"]);
    expect(adapter.buffered.packets).toBe(1);
  });

  it("refuses offsets it did not make", async () => {
    const { adapter } = setup();
    broadcast(adapter, ["x"]);
    for (const offset of ["", "0", "abc-1", "x".repeat(100), "-1"]) {
      adapter.persistSession(session);
      expect(await adapter.restoreSession("pid-1", offset)).toBeNull();
    }
  });
});
