// Fuzzing the Engine.IO codec (RELIABILITY §4 goal 1, layer "engine codec"): packets and
// polling payloads that are valid, mutated, from the corpus, or random bytes. The codec
// never throws; it decodes to packets of known types or refuses with null; what it
// decodes, it encodes back to the same packets. FUZZ_RUNS inputs per property.
import { assertNotPoisoned } from "./poisoning.js";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  PACKET_TYPES,
  decodePacket,
  decodePayload,
  encodePacket,
  encodePayload,
} from "../../src/engine/codec.js";
import { assertInChunks, CODEC_RUNS, engineText, pollingInput } from "./inputs.js";

afterAll(() => assertNotPoisoned());

const timeout = Math.max(20_000, CODEC_RUNS * 5);

describe("engine codec fuzzing", () => {
  it(
    `decodes ${CODEC_RUNS} packets to known types or null, and re-encodes what it decodes`,
    async () => {
      const input = fc.oneof(
        engineText,
        fc.string({ unit: "binary", maxLength: 64 }),
        fc.uint8Array({ maxLength: 64 }),
      );
      await assertInChunks(
        fc.property(input, (data) => {
          const packet = decodePacket(data);
          if (packet === null) return;
          expect(PACKET_TYPES).toContain(packet.type);
          expect(decodePacket(encodePacket(packet, typeof data !== "string"))).toEqual(packet);
        }),
        CODEC_RUNS,
      );
    },
    timeout,
  );

  it(
    `decodes ${CODEC_RUNS} polling payloads to known packets or null, within maxPackets`,
    async () => {
      await assertInChunks(
        fc.property(pollingInput, fc.integer({ min: 1, max: 8 }), ({ body }, max) => {
          const text = typeof body === "string" ? body : Buffer.from(body).toString();
          const packets = decodePayload(text, max);
          if (packets === null) return;
          expect(packets.length).toBeGreaterThan(0);
          expect(packets.length).toBeLessThanOrEqual(max);
          for (const packet of packets) expect(PACKET_TYPES).toContain(packet.type);
          if (packets.every((p) => typeof p.data !== "string" || !p.data.includes("\x1e"))) {
            expect(decodePayload(encodePayload(packets))).toEqual(packets);
          }
        }),
        CODEC_RUNS,
      );
    },
    timeout,
  );
});
