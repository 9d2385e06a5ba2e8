// Fuzzing the Socket.IO codec (RELIABILITY §4 goal 1, layer "socket.io codec"): sequences
// of Engine.IO messages (text and binary) that are valid packets, mutated, from the
// corpus (RELIABILITY §1, A5, A6), or random. The decoder either returns packets whose
// payload fits their type, waits for attachments, or throws a PushwireError with a
// PW_ERR_PROTOCOL_* code; nothing else. FUZZ_RUNS inputs per property.
import { assertNotPoisoned } from "./poisoning.js";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { PushwireError } from "../../src/errors.js";
import { Decoder, encode, isValidPayload, type Packet } from "../../src/protocol/index.js";
import { assertInChunks, CODEC_RUNS, socketIOText, validSocketIO } from "./inputs.js";

afterAll(() => assertNotPoisoned());

const timeout = Math.max(20_000, CODEC_RUNS * 5);

const message = fc.oneof(
  { weight: 6, arbitrary: socketIOText.map((text) => [text] as (string | Uint8Array)[]) },
  { weight: 2, arbitrary: validSocketIO },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((b) => [b]) },
);

describe("socket.io codec fuzzing", () => {
  it(
    `decodes ${CODEC_RUNS} message sequences to valid packets or a PW_ERR_PROTOCOL_* error`,
    async () => {
      await assertInChunks(
        fc.property(fc.array(message, { minLength: 1, maxLength: 3 }), (messages) => {
          const decoder = new Decoder();
          for (const part of messages.flat()) {
            let packet: Packet | undefined;
            try {
              packet = decoder.add(part);
            } catch (err) {
              expect(err).toBeInstanceOf(PushwireError);
              expect((err as PushwireError).code).toMatch(/^PW_ERR_PROTOCOL_/);
              return; // the connection would be closed here
            }
            if (packet === undefined) {
              expect(decoder.reconstructing).toBe(true);
              continue;
            }
            expect(packet.type).toBeGreaterThanOrEqual(0);
            expect(packet.type).toBeLessThanOrEqual(6);
            expect(isValidPayload(packet.type, packet.data)).toBe(true);
            expect(packet.nsp.startsWith("/")).toBe(true);
            // What was decoded can be sent back (the echo path) without throwing.
            if (packet.type === 2 || packet.type === 3 || packet.type === 5 || packet.type === 6) {
              try {
                encode(packet);
              } catch (err) {
                // Too deep to encode (A6-4): a PushwireError for the code that emitted.
                expect((err as PushwireError).code).toBe("PW_ERR_PROTOCOL_UNENCODABLE");
              }
            }
          }
        }),
        CODEC_RUNS,
      );
    },
    timeout,
  );
});
