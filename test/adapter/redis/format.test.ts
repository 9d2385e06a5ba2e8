// The wire format: every message we send decodes back to itself, and nothing a peer
// (or an attacker with PUBLISH rights) sends can throw or slip past the checks.
import fc from "fast-check";
import { encode as notepack } from "notepack.io";
import { describe, expect, it } from "vitest";
import type { ClusterMessage } from "../../../src/adapter/cluster-message.js";
import { decodeMessage, encodeMsgpack } from "../../../src/adapter/redis/codec.js";
import { channelsOf, fromWire, toWire } from "../../../src/adapter/redis/format.js";

const ch = channelsOf("socket.io", "/");
const MAX = 1 << 20;
const opts = { rooms: ["r"], except: ["x"], flags: { volatile: true } };
const packet = { type: 2 as const, nsp: "/", data: ["ev", { a: 1 }] };

const messages: ClusterMessage[] = [
  { type: "broadcast", uid: "n1", packet, opts },
  { type: "broadcast", uid: "n1", packet, opts: { rooms: [], except: [] } },
  { type: "broadcastWithAck", uid: "n1", requestId: "q1", packet, opts },
  { type: "broadcastClientCount", uid: "n2", to: "n1", requestId: "q1", clientCount: 3 },
  { type: "broadcastAck", uid: "n2", to: "n1", requestId: "q1", packet: { ok: true } },
  { type: "socketsJoin", uid: "n1", opts: { rooms: ["a"], except: [] }, rooms: ["b", "c"] },
  { type: "socketsLeave", uid: "n1", opts: { rooms: [], except: ["a"] }, rooms: ["b"] },
  { type: "disconnectSockets", uid: "n1", opts: { rooms: ["a"], except: [] }, close: true },
  { type: "fetchSockets", uid: "n1", requestId: "q2", opts: { rooms: ["a"], except: [] } },
  {
    type: "fetchSocketsResponse",
    uid: "n2",
    to: "n1",
    requestId: "q2",
    sockets: [{ id: "s1", handshake: { query: {} }, rooms: ["s1", "a"], data: { u: 1 } }],
  },
  { type: "allRooms", uid: "n1", requestId: "q3" },
  { type: "allRoomsResponse", uid: "n2", to: "n1", requestId: "q3", rooms: ["a", "b"] },
  { type: "serverSideEmit", uid: "n1", data: ["hello", 1] },
  { type: "serverSideEmit", uid: "n1", requestId: "q4", data: ["hello"] },
  { type: "serverSideEmitResponse", uid: "n2", to: "n1", requestId: "q4", data: "yes" },
  { type: "heartbeat", uid: "n1", initial: true },
  { type: "heartbeat", uid: "n1", initial: false },
  { type: "close", uid: "n1" },
];

function roundTrip(message: ClusterMessage): ReturnType<typeof fromWire> {
  const wire = toWire(ch, message);
  const bytes = typeof wire.payload === "string" ? Buffer.from(wire.payload) : wire.payload;
  return fromWire(ch, "/", wire.channel, bytes, MAX);
}

describe("wire format", () => {
  for (const message of messages) {
    it(`decodes what it encodes: ${message.type}`, () => {
      expect(roundTrip(message)).toEqual({ ok: true, message });
    });
  }

  it("publishes a broadcast to one room on that room's channel", () => {
    const wire = toWire(ch, messages[0]!);
    expect(wire.channel).toBe("socket.io#/#r#");
    expect(toWire(ch, messages[1]!).channel).toBe("socket.io#/#");
  });

  it("sends responses to the requesting node's own channel", () => {
    expect(toWire(ch, messages[3]!).channel).toBe("socket.io-response#/#n1#");
  });

  it("escapes glob characters of a namespace in the broadcast pattern", () => {
    expect(channelsOf("k", "/a*b[c]").broadcastPattern).toBe("k#/a\\*b\\[c\\]#*");
  });

  it("reads the requests of socket.io's emitter, which are JSON without a uid", () => {
    const join = '{"type":2,"opts":{"rooms":["a"],"except":[]},"rooms":["b"]}';
    expect(fromWire(ch, "/", ch.request, Buffer.from(join), MAX)).toEqual({
      ok: true,
      message: { type: "socketsJoin", opts: { rooms: ["a"], except: [] }, rooms: ["b"] },
    });
  });

  it("takes a packet without nsp as the main namespace's, as socket.io does", () => {
    const bytes = notepack(["u", { type: 2, data: ["e"] }, { rooms: [], except: [] }]);
    expect(fromWire(ch, "/", ch.broadcast, bytes, MAX).ok).toBe(true);
    expect(fromWire(channelsOf("socket.io", "/x"), "/x", "socket.io#/x#", bytes, MAX).ok).toBe(
      false,
    );
  });

  it("decodes notepack's legacy encoding of undefined", () => {
    expect(decodeMessage(Buffer.from([0x91, 0xd4, 0x00, 0x00]), MAX)).toEqual([undefined]);
  });

  const garbage: [string, string, Buffer][] = [
    ["random bytes", ch.broadcast, Buffer.from([0xc1, 0xff, 0x00])],
    ["truncated msgpack", ch.broadcast, encodeMsgpack(["u", packet, opts]).subarray(0, 12)],
    ["a bare number", ch.request, encodeMsgpack(42)],
    ["a string", ch.request, Buffer.from("hello")],
    ["invalid JSON", ch.request, Buffer.from("{not json")],
    ["a broadcast of the wrong shape", ch.broadcast, encodeMsgpack({ a: 1 })],
    [
      "a broadcast with a reserved event",
      ch.broadcast,
      encodeMsgpack(["u", { type: 2, nsp: "/", data: ["disconnect"] }, opts]),
    ],
    [
      "a CONNECT packet broadcast",
      ch.broadcast,
      encodeMsgpack(["u", { type: 0, nsp: "/", data: {} }, opts]),
    ],
    [
      "a broadcast with an empty event",
      ch.broadcast,
      encodeMsgpack(["u", { type: 2, nsp: "/", data: [] }, opts]),
    ],
    [
      "rooms that are objects",
      ch.broadcast,
      encodeMsgpack(["u", packet, { rooms: [{}], except: [] }]),
    ],
    ["an unknown request type", ch.request, encodeMsgpack({ uid: "u", type: 999 })],
    ["a request type as a string", ch.request, encodeMsgpack({ uid: "u", type: "7" })],
    ["a fetch without requestId", ch.request, encodeMsgpack({ uid: "u", type: 5, opts })],
    [
      "a serverSideEmit without a name",
      ch.request,
      encodeMsgpack({ uid: "u", type: 6, data: [1] }),
    ],
    ["a heartbeat without uid", ch.request, encodeMsgpack({ type: 100 })],
    ["an uid of 1 KiB", ch.request, encodeMsgpack({ uid: "u".repeat(1024), type: 100 })],
    [
      "a negative client count",
      "socket.io-response#/#n1#",
      encodeMsgpack({ type: 8, requestId: "q", clientCount: -1 }),
    ],
    [
      "sockets that are strings",
      "socket.io-response#/#n1#",
      encodeMsgpack({ requestId: "q", sockets: ["x"] }),
    ],
    ["a __proto__ key", ch.request, Buffer.from([0x81, 0xa9, ...Buffer.from("__proto__"), 0x01])],
    ["a map claiming 2^32 entries", ch.request, Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff])],
    ["a string claiming 4 GiB", ch.request, Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61])],
    ["an unknown channel", "elsewhere", encodeMsgpack({ uid: "u", type: 100 })],
  ];
  for (const [name, channel, bytes] of garbage) {
    it(`drops garbage: ${name}`, () => {
      expect(fromWire(ch, "/", channel, bytes, MAX).ok).toBe(false);
    });
  }

  it("drops a message over the size cap without decoding it", () => {
    const big = encodeMsgpack(["u", { ...packet, data: ["e", "x".repeat(2000)] }, opts]);
    expect(fromWire(ch, "/", ch.broadcast, big, 1000)).toEqual({
      ok: false,
      reason: "undecodable or too large",
    });
  });

  it("decodes nesting 100,000 levels deep without overflowing the stack", () => {
    const deep = Buffer.concat([Buffer.alloc(100_000, 0x91), Buffer.from([0x01])]);
    expect(() => fromWire(ch, "/", ch.broadcast, deep, MAX)).not.toThrow();
  });

  it("never throws on arbitrary bytes on any channel", () => {
    const channels = [
      ch.broadcast,
      ch.broadcast + "r#",
      ch.request,
      ch.response,
      ch.response + "n#",
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...channels), (bytes, c) => {
        fromWire(ch, "/", c, Buffer.from(bytes), MAX);
      }),
      { numRuns: 5000 },
    );
  });

  it("never throws on arbitrary msgpack values on any channel", () => {
    const channels = [ch.broadcast, ch.request, ch.response + "n#"];
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...channels), (value, c) => {
        fromWire(ch, "/", c, encodeMsgpack(value), MAX);
        fromWire(
          ch,
          "/",
          c,
          encodeMsgpack({ uid: "u", requestId: "q", type: 7, packet: value, opts: value }),
          MAX,
        );
      }),
      { numRuns: 3000 },
    );
  });
});
