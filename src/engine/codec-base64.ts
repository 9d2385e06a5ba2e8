/**
 * Standard base64 (RFC 4648 section 4, with `=` padding) over `Uint8Array`, written out
 * by hand so that the Engine.IO codec stays pure and isomorphic: no `Buffer`, no
 * `btoa` on binary strings. Engine.IO v4 carries binary packets in polling payloads as
 * `b` + base64 (spec: "Packet encoding", HTTP long-polling).
 *
 * @module
 * @internal
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Char codes of the alphabet, by 6-bit value. */
const ENCODE = new Uint8Array(64);
/** 6-bit value of each char code below 128, or 255 when the char is not in the alphabet. */
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}

/** Output chars built per `String.fromCharCode` call: bounded to stay below engines' argument limits. */
const CHUNK = 8192;
const PAD = 61; // "="

/**
 * Encodes bytes as padded base64.
 *
 * @internal
 */
export function encodeBase64(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length === 0) return "";
  const out = new Uint16Array(Math.min(CHUNK, Math.ceil(length / 3) * 4));
  let result = "";
  let o = 0;
  let i = 0;
  const whole = length - (length % 3);
  while (i < whole) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o] = ENCODE[n >>> 18]!;
    out[o + 1] = ENCODE[(n >>> 12) & 63]!;
    out[o + 2] = ENCODE[(n >>> 6) & 63]!;
    out[o + 3] = ENCODE[n & 63]!;
    o += 4;
    i += 3;
    if (o === out.length) {
      result += String.fromCharCode.apply(null, out as unknown as number[]);
      o = 0;
    }
  }
  const rest = length - whole;
  if (rest !== 0) {
    const n = rest === 1 ? bytes[i]! << 16 : (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out[o] = ENCODE[n >>> 18]!;
    out[o + 1] = ENCODE[(n >>> 12) & 63]!;
    out[o + 2] = rest === 1 ? PAD : ENCODE[(n >>> 6) & 63]!;
    out[o + 3] = PAD;
    o += 4;
  }
  if (o !== 0) result += String.fromCharCode.apply(null, out.subarray(0, o) as unknown as number[]);
  return result;
}

/**
 * Decodes the base64 in `text[start, end)` (so the `b` prefix and the rest of a payload
 * are skipped without a substring). Padding is optional; any other character outside the alphabet,
 * a misplaced `=`, or a length that cannot come from whole bytes makes it return
 * `null`. Never throws.
 *
 * @internal
 */
export function decodeBase64(text: string, start = 0, end = text.length): Uint8Array | null {
  // Strip up to two padding chars; they must close a 4-char group.
  if (end - start >= 2 && text.charCodeAt(end - 1) === PAD) {
    if ((end - start) % 4 !== 0) return null;
    end--;
    if (text.charCodeAt(end - 1) === PAD) end--;
  }
  const chars = end - start;
  const tail = chars % 4;
  if (tail === 1) return null;
  const size = ((chars - tail) / 4) * 3 + (tail === 0 ? 0 : tail - 1);
  const bytes = new Uint8Array(size);
  let o = 0;
  let i = start;
  const whole = end - tail;
  while (i < whole) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    const d = sextet(text, i + 3);
    if ((a | b | c | d) > 63) return null;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o] = n >>> 16;
    bytes[o + 1] = (n >>> 8) & 255;
    bytes[o + 2] = n & 255;
    o += 3;
    i += 4;
  }
  if (tail !== 0) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = tail === 3 ? sextet(text, i + 2) : 0;
    if ((a | b | c) > 63) return null;
    const n = (a << 18) | (b << 12) | (c << 6);
    bytes[o] = n >>> 16;
    if (tail === 3) bytes[o + 1] = (n >>> 8) & 255;
  }
  return bytes;
}

/** The 6-bit value of the char at `i`, or 255 when it is not a base64 char. */
function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? DECODE[code]! : 255;
}
