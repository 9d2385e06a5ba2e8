import { describe, expect, it } from "vitest";
import { Adapter } from "../../src/adapter/index.js";
import { PacketType, type Packet } from "../../src/protocol/index.js";
import { FakeHost } from "./host.js";

function setup(ids: string[] = ["s1", "s2", "s3"]) {
  const host = new FakeHost("/chat");
  const adapter = new Adapter(host);
  host.adapter = adapter;
  const sockets = ids.map((id) => host.add(id));
  return { host, adapter, sockets };
}

const event = (...data: unknown[]): Packet => ({ type: PacketType.EVENT, nsp: "/", data });

describe("in-memory adapter: rooms", () => {
  it("emits create-room, join-room, leave-room and delete-room", () => {
    const { adapter } = setup();
    const events: string[] = [];
    for (const name of ["create-room", "join-room", "leave-room", "delete-room"]) {
      adapter.on(name, (...args: unknown[]) => events.push(`${name}:${args.join(",")}`));
    }
    adapter.addAll("s1", ["a"]);
    adapter.addAll("s2", ["a", "a"]);
    adapter.del("s1", "a");
    adapter.delAll("s2");
    expect(events).toEqual([
      "create-room:a",
      "join-room:a,s1",
      "join-room:a,s2",
      "leave-room:a,s1",
      "leave-room:a,s2",
      "delete-room:a",
    ]);
    expect(adapter.rooms.size).toBe(0);
    expect(adapter.sids.size).toBe(0);
  });

  it("keeps a socket's own room implicit: nothing stored until it joins another room", () => {
    const { adapter } = setup();
    adapter.addAll("s1", ["s1"]);
    expect(adapter.rooms.size).toBe(0);
    expect(adapter.sids.size).toBe(0);
    expect(adapter.socketRooms("s1")).toEqual(new Set(["s1"]));
    expect(adapter.socketRooms("unknown")).toBeUndefined();
    adapter.addAll("s1", ["x"]);
    expect(adapter.socketRooms("s1")).toEqual(new Set(["s1", "x"]));
    expect(adapter.roomCount("s1")).toBe(1);
  });
});

describe("in-memory adapter: broadcast", () => {
  it("sends to every socket, stamping the namespace, with parts prepared once", () => {
    const { host, adapter, sockets } = setup();
    adapter.broadcast(event("news", 1), { rooms: new Set() });
    expect(sockets.map((s) => s.texts)).toEqual([
      ['2/chat,["news",1]'],
      ['2/chat,["news",1]'],
      ['2/chat,["news",1]'],
    ]);
    expect(host.prepared).toBe(1);
    expect(sockets[1]!.writes[0]!.parts).toBe(sockets[0]!.writes[0]!.parts);
  });

  it("prepares each part of a binary packet once", () => {
    const { host, adapter, sockets } = setup();
    adapter.broadcast(event("bin", new Uint8Array([1]), new Uint8Array([2])), { rooms: new Set() });
    expect(host.prepared).toBe(3);
    expect(sockets[2]!.writes[0]!.parts.map((p) => typeof p.data)).toEqual([
      "string",
      "object",
      "object",
    ]);
  });

  it("selects rooms, socket ids as rooms, and exceptions, without duplicates", () => {
    const { adapter, sockets } = setup(["s1", "s2", "s3", "s4"]);
    adapter.addAll("s1", ["a"]);
    adapter.addAll("s2", ["a", "b"]);
    adapter.addAll("s3", ["b", "s4"]); // a room named after another socket's id
    adapter.broadcast(event("1"), { rooms: new Set(["a", "b"]) });
    adapter.broadcast(event("2"), { rooms: new Set(["a"]), except: new Set(["b"]) });
    adapter.broadcast(event("3"), { rooms: new Set(["s4"]) });
    adapter.broadcast(event("4"), { rooms: new Set(), except: new Set(["s1", "b"]) });
    expect(sockets.map((s) => s.texts.map((t) => JSON.parse(t.slice(7))[0]))).toEqual([
      ["1", "2"],
      ["1"],
      ["1", "3"],
      ["3", "4"],
    ]);
  });

  it("passes volatile and compress through as shared flag objects", () => {
    const { adapter, sockets } = setup();
    adapter.broadcast(event("v"), { rooms: new Set(), flags: { volatile: true, compress: false } });
    expect(sockets[0]!.writes[0]!.flags).toEqual({ volatile: true, compress: false });
    expect(sockets[1]!.writes[0]!.flags).toBe(sockets[0]!.writes[0]!.flags);
  });

  it("registers one ack per recipient under one id and reports the count", () => {
    const { adapter, sockets } = setup();
    sockets[2]!.maxAcks = 0; // at its limit: skipped, not counted
    const counts: number[] = [];
    const responses: unknown[] = [];
    const packet = event("poll");
    adapter.broadcastWithAck(
      packet,
      { rooms: new Set() },
      (n) => counts.push(n),
      (r) => responses.push(r),
    );
    expect(counts).toEqual([2]);
    expect(packet.id).toBe(0);
    expect(sockets[0]!.texts).toEqual(['2/chat,0["poll"]']);
    expect(sockets[2]!.texts).toEqual([]);
    sockets[0]!.acks.get(0)!("yes");
    sockets[1]!.acks.get(0)!("no");
    expect(responses).toEqual(["yes", "no"]);
  });
});

describe("in-memory adapter: socket operations", () => {
  it("fetches, joins, leaves and disconnects the selected sockets", async () => {
    const { adapter, sockets } = setup();
    adapter.addAll("s1", ["a"]);
    const fetched = await adapter.fetchSockets({ rooms: new Set(["a"]) });
    expect(fetched).toEqual([sockets[0]]);
    adapter.addSockets({ rooms: new Set(), except: new Set(["a"]) }, ["b", "c"]);
    expect(adapter.rooms.get("b")).toEqual(new Set(["s2", "s3"]));
    adapter.delSockets({ rooms: new Set(["b"]) }, ["c"]);
    expect(adapter.rooms.has("c")).toBe(false);
    expect(await adapter.sockets(new Set(["b"]))).toEqual(new Set(["s2", "s3"]));
    adapter.disconnectSockets({ rooms: new Set(["b"]) }, true);
    expect(sockets.map((s) => s.disconnected)).toEqual([undefined, true, true]);
    expect(adapter.rooms.has("b")).toBe(false);
  });

  it("answers serverSideEmit's callback with no responses, asynchronously", async () => {
    const { adapter } = setup();
    const calls: unknown[][] = [];
    adapter.serverSideEmit(["ping", (...args: unknown[]) => calls.push(args)]);
    expect(calls).toEqual([]);
    await Promise.resolve();
    expect(calls).toEqual([[null, []]]);
    await expect(adapter.serverCount()).resolves.toBe(1);
  });

  it("restores no session without recovery", async () => {
    const { adapter } = setup();
    adapter.persistSession({ sid: "s1", pid: "p", rooms: [], data: {} });
    await expect(adapter.restoreSession("p", "0")).resolves.toBeNull();
  });
});
