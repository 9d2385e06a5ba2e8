import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type EnginePacket,
  type EnginePacketType,
  PACKET_TYPES,
  PAYLOAD_SEPARATOR,
  decodePacket,
  decodePayload,
  encodePacket,
  encodePayload,
  isMessageText,
} from "../../src/engine/codec.js";
import { decodeBase64, encodeBase64 } from "../../src/engine/codec-base64.js";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("encodePacket", () => {
  it("writes the type digit followed by the text data", () => {
    expect(encodePacket({ type: "message", data: "hello" }, true)).toBe("4hello");
    expect(encodePacket({ type: "ping", data: "probe" }, false)).toBe("2probe");
    expect(encodePacket({ type: "open", data: '{"sid":"x"}' }, true)).toBe('0{"sid":"x"}');
  });

  it("writes only the digit for a packet without data", () => {
    const digits = PACKET_TYPES.map((type) => encodePacket({ type }, true));
    expect(digits).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("returns the raw bytes of a binary message when the transport supports binary", () => {
    const data = bytes(1, 2, 3, 4);
    expect(encodePacket({ type: "message", data }, true)).toBe(data);
  });

  it("writes a binary message as b + base64 when the transport does not support binary", () => {
    expect(encodePacket({ type: "message", data: bytes(1, 2, 3, 4) }, false)).toBe("bAQIDBA==");
    expect(encodePacket({ type: "message", data: bytes() }, false)).toBe("b");
  });
});

describe("decodePacket", () => {
  it("reads each packet type from its digit", () => {
    expect(decodePacket("0")).toEqual({ type: "open" });
    expect(decodePacket("1")).toEqual({ type: "close" });
    expect(decodePacket("2")).toEqual({ type: "ping" });
    expect(decodePacket("3probe")).toEqual({ type: "pong", data: "probe" });
    expect(decodePacket("5")).toEqual({ type: "upgrade" });
    expect(decodePacket("6")).toEqual({ type: "noop" });
  });

  it("gives a message packet string data, empty when the frame is only the digit", () => {
    expect(decodePacket("4hello")).toEqual({ type: "message", data: "hello" });
    expect(decodePacket("4")).toEqual({ type: "message", data: "" });
    expect(decodePacket("4€ \u{1f600}")).toEqual({ type: "message", data: "€ \u{1f600}" });
  });

  it("reads bytes as a binary message", () => {
    const data = bytes(1, 2, 3, 4);
    expect(decodePacket(data)).toEqual({ type: "message", data });
  });

  it("reads b + base64 as a binary message", () => {
    expect(decodePacket("bAQIDBA==")).toEqual({ type: "message", data: bytes(1, 2, 3, 4) });
    expect(decodePacket("bAQIDBA")).toEqual({ type: "message", data: bytes(1, 2, 3, 4) });
    expect(decodePacket("b")).toEqual({ type: "message", data: bytes() });
  });

  it("rejects empty text, unknown types and invalid base64", () => {
    for (const text of ["", "abc", "7", "9", "a", "/", " 4", "b!!!!", "bA", "bA===", "bAQ=I"]) {
      expect(decodePacket(text), text).toBeNull();
    }
  });

  it("rejects values that are neither text nor bytes", () => {
    expect(decodePacket(42 as unknown as string)).toBeNull();
    expect(decodePacket(null as unknown as string)).toBeNull();
  });
});

describe("encodePayload / decodePayload", () => {
  it("joins packets with the record separator, binary as b + base64", () => {
    const packets: EnginePacket[] = [
      { type: "message", data: "hello" },
      { type: "ping" },
      { type: "message", data: bytes(1, 2, 3, 4) },
    ];
    expect(encodePayload(packets)).toBe("4hello\x1e2\x1ebAQIDBA==");
  });

  it("splits the spec's example payloads", () => {
    expect(decodePayload("4hello\x1e2\x1e4world")).toEqual([
      { type: "message", data: "hello" },
      { type: "ping" },
      { type: "message", data: "world" },
    ]);
    expect(decodePayload("4hello\x1ebAQIDBA==")).toEqual([
      { type: "message", data: "hello" },
      { type: "message", data: bytes(1, 2, 3, 4) },
    ]);
  });

  it("rejects an empty payload, a lone separator and empty records", () => {
    for (const text of ["", "\x1e", "4a\x1e", "\x1e4a", "4a\x1e\x1e4b"]) {
      expect(decodePayload(text), JSON.stringify(text)).toBeNull();
    }
  });

  it("rejects a payload when any record is invalid", () => {
    expect(decodePayload("4hello\x1eabc")).toBeNull();
    expect(decodePayload("4hello\x1eb!")).toBeNull();
  });

  it("rejects a payload holding more records than maxPackets", () => {
    expect(decodePayload("6\x1e6\x1e6", 3)).toHaveLength(3);
    expect(decodePayload("6\x1e6\x1e6\x1e6", 3)).toBeNull();
  });

  it("exports the record separator", () => {
    expect(PAYLOAD_SEPARATOR).toBe("\x1e");
  });
});

describe("isMessageText", () => {
  it("tells a message record from the others by its first char", () => {
    expect(isMessageText("4hello")).toBe(true);
    expect(isMessageText("4")).toBe(true);
    expect(isMessageText("3")).toBe(false);
    expect(isMessageText("")).toBe(false);
  });
});

describe("base64", () => {
  it("matches RFC 4648 test vectors", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      const raw = new TextEncoder().encode(plain);
      expect(encodeBase64(raw)).toBe(encoded);
      expect(decodeBase64(encoded)).toEqual(raw);
    }
  });

  it("agrees with Node's Buffer on random bytes, across the output chunk boundary", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (raw) => {
        const expected = Buffer.from(raw).toString("base64");
        expect(encodeBase64(raw)).toBe(expected);
        expect(decodeBase64(expected)).toEqual(raw);
      }),
      { numRuns: 200 },
    );
  });
});

// Arbitrary packets in their canonical decoded form: binary only in messages, message
// data always present, other types carry data only when it is non-empty.
const textData = fc.string({ unit: "binary", maxLength: 64 });
const nonMessageType = fc.constantFrom<EnginePacketType>(
  "open",
  "close",
  "ping",
  "pong",
  "upgrade",
  "noop",
);
const packetArb: fc.Arbitrary<EnginePacket> = fc.oneof(
  fc.record({ type: fc.constant<EnginePacketType>("message"), data: textData }),
  fc.record({ type: fc.constant<EnginePacketType>("message"), data: fc.uint8Array() }),
  nonMessageType.map((type) => ({ type })),
  fc.record({ type: nonMessageType, data: textData.filter((s) => s.length > 0) }),
);
// Payload records may not carry the separator in their text (spec: "this assumes the
// record separator is not used in the data").
const payloadPacketArb = packetArb.filter(
  (p) => typeof p.data !== "string" || !p.data.includes(PAYLOAD_SEPARATOR),
);

describe("codec properties", () => {
  it("decodes what it encodes, for both transports", () => {
    fc.assert(
      fc.property(packetArb, fc.boolean(), (packet, supportsBinary) => {
        expect(decodePacket(encodePacket(packet, supportsBinary))).toEqual(packet);
      }),
    );
  });

  it("decodes the payloads it encodes", () => {
    fc.assert(
      fc.property(fc.array(payloadPacketArb, { minLength: 1, maxLength: 8 }), (packets) => {
        expect(decodePayload(encodePayload(packets))).toEqual(packets);
      }),
    );
  });

  it("never throws on random text or bytes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.uint8Array()), (input) => {
        decodePacket(input);
        if (typeof input === "string") decodePayload(input, 10);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on mutated valid payloads", () => {
    const mutated = fc
      .tuple(fc.array(payloadPacketArb, { minLength: 1, maxLength: 4 }), fc.nat(), fc.string())
      .map(([packets, at, insert]) => {
        const text = encodePayload(packets);
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + 1);
      });
    fc.assert(
      fc.property(mutated, (text) => {
        const result = decodePayload(text);
        if (result !== null) for (const p of result) expect(PACKET_TYPES).toContain(p.type);
      }),
      { numRuns: 2000 },
    );
  });
});
