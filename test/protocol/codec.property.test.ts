// Property tests: the codec round-trips what it encodes, and never throws anything
// but a PushwireError on hostile input. The run count follows FUZZ_RUNS (npm run fuzz).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PushwireError } from "../../src/errors.js";
import { Decoder, PacketType, encode, type Packet } from "../../src/protocol/index.js";

const runs = Number(process.env.FUZZ_RUNS ?? 10_000);

const json = fc.jsonValue({ maxDepth: 4 });
const nsp = fc.constantFrom("/", "/admin", "/a/b", "/é");
const name = fc
  .string()
  .filter(
    (s) =>
      ![
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
      ].includes(s),
  );
const bytes = fc.uint8Array({ maxLength: 16 });
const argWithBinary = fc.oneof(json, bytes, fc.record({ blob: bytes, n: fc.integer() }));

const packetArb: fc.Arbitrary<Packet> = fc.oneof(
  fc.record({
    type: fc.constant(PacketType.CONNECT),
    nsp,
    data: fc.option(fc.dictionary(fc.string(), json), { nil: undefined }),
  }),
  fc.record({ type: fc.constant(PacketType.DISCONNECT), nsp }),
  fc.record({
    type: fc.constant(PacketType.CONNECT_ERROR),
    nsp,
    data: fc.record({ message: fc.string() }),
  }),
  fc.record({
    type: fc.constant(PacketType.EVENT),
    nsp,
    data: fc
      .tuple(name, fc.array(argWithBinary, { maxLength: 4 }))
      .map(([n, args]) => [n, ...args]),
    id: fc.option(fc.nat(), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant(PacketType.ACK),
    nsp,
    data: fc.array(argWithBinary, { maxLength: 4 }),
    id: fc.nat(),
  }),
);

/** The wire does not keep `-0` apart from 0, nor undefined inside arrays; compare as JSON does. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return Object.is(value, -0) ? 0 : value;
}

function feed(decoder: Decoder, chunks: Array<string | Uint8Array>): Packet | undefined {
  let packet: Packet | undefined;
  for (const chunk of chunks) packet = decoder.add(chunk);
  return packet;
}

describe("codec properties", () => {
  it("decodes what it encodes", () => {
    fc.assert(
      fc.property(packetArb, (packet) => {
        const decoded = feed(new Decoder(), encode(packet) as Array<string | Uint8Array>);
        expect(decoded).toBeDefined();
        expect(decoded!.nsp).toBe(packet.nsp);
        expect(decoded!.id).toBe(packet.id);
        expect(normalize(decoded!.data)).toEqual(normalize(packet.data));
      }),
      { numRuns: runs },
    );
  });

  it("throws nothing but PushwireError on random text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (input) => {
        try {
          new Decoder().add(input);
        } catch (err) {
          expect(err).toBeInstanceOf(PushwireError);
        }
      }),
      { numRuns: runs },
    );
  });

  it("throws nothing but PushwireError on mutated valid packets and stray binaries", () => {
    const mutated = fc
      .tuple(packetArb, fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 3 }))
      .map(([packet, at, insert, drop]) => {
        const [text, ...rest] = encode(packet) as [string, ...Uint8Array[]];
        const i = at % (text.length + 1);
        return [
          text.slice(0, i) + insert + text.slice(i + Math.min(drop, text.length - i)),
          ...rest,
        ];
      });
    fc.assert(
      fc.property(mutated, fc.array(bytes, { maxLength: 2 }), (chunks, extra) => {
        const decoder = new Decoder();
        try {
          feed(decoder, [...chunks, ...extra]);
        } catch (err) {
          expect(err).toBeInstanceOf(PushwireError);
        }
      }),
      { numRuns: runs },
    );
  });
});
