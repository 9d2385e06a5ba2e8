/**
 * The data-only codecs of inter-node messages (RELIABILITY D6, C7): msgpack as
 * socket.io's Redis adapter writes it, and the JSON its emitter writes for requests.
 *
 * Encoding uses `notepack.io`, the encoder of `@socket.io/redis-adapter` and
 * `@socket.io/redis-emitter`, so our bytes are theirs (JSON semantics: `toJSON` is
 * honoured, `undefined` members are left out). Decoding uses `@msgpack/msgpack`, whose
 * decoder is iterative (no stack overflow on deep input), caps every length, and
 * refuses a `__proto__` key. Neither format can carry code.
 *
 * @module
 */
import { Decoder, ExtensionCodec } from "@msgpack/msgpack";
import { encode as notepackEncode } from "notepack.io";

/** Default cap on one inter-node message, in bytes. */
export const DEFAULT_MAX_MESSAGE_SIZE = 8 * 1024 * 1024;

/** Bytes as the Redis client hands them over. */
export type MessageBytes = Uint8Array;

/** Encodes a value as msgpack, as socket.io's Redis adapter does. Throws on BigInt. */
export function encodeMsgpack(value: unknown): Buffer {
  return notepackEncode(value) as Buffer;
}

// notepack.io before 3.0 wrote `undefined` as fixext 1 of type 0; peers still running
// it may send that.
const extensions = new ExtensionCodec();
extensions.register({ type: 0, encode: () => null, decode: () => undefined });

const decoders = new Map<number, Decoder>();

function decoderFor(maxSize: number): Decoder {
  let decoder = decoders.get(maxSize);
  if (!decoder) {
    decoder = new Decoder({
      extensionCodec: extensions,
      maxStrLength: maxSize,
      maxBinLength: maxSize,
      maxExtLength: maxSize,
      // Each element takes at least one byte, so no honest message has more.
      maxArrayLength: maxSize,
      maxMapLength: maxSize,
    });
    decoders.set(maxSize, decoder);
  }
  return decoder;
}

/**
 * Decodes one message from a peer: JSON when it starts with `{` (what socket.io's
 * emitter publishes for requests), msgpack otherwise. Returns `undefined` for anything
 * that is too large or does not decode; never throws.
 */
export function decodeMessage(bytes: MessageBytes, maxSize: number): unknown {
  if (bytes.byteLength > maxSize) return undefined;
  try {
    if (bytes[0] === 0x7b) {
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString());
    }
    return decoderFor(maxSize).decode(bytes);
  } catch {
    return undefined;
  }
}
