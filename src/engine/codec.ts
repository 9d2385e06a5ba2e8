/**
 * The Engine.IO v4 packet and payload codec (spec: engine.io-protocol v4, "Protocol"
 * and "Packet encoding"). Pure and isomorphic: no Node built-ins, no `Buffer`, no
 * timers; the client imports this same file. Every decoder returns `null` for input
 * that is not Engine.IO and never throws, so network bytes can be fed to it as they
 * come.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "./codec-base64.js";

/** The seven Engine.IO packet types, by name (spec: "Protocol"). */
export type EnginePacketType = "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";

/**
 * One Engine.IO packet. Binary data is always a `message` packet: the protocol has no
 * other binary packet type.
 */
export interface EnginePacket {
  type: EnginePacketType;
  data?: string | Uint8Array;
}

/** The record separator between packets of an HTTP long-polling payload (spec: "Packet encoding"). */
export const PAYLOAD_SEPARATOR = "\x1e";

/** Packet type names, indexed by their wire digit (`"0"` = open ... `"6"` = noop). */
export const PACKET_TYPES: readonly EnginePacketType[] = [
  "open",
  "close",
  "ping",
  "pong",
  "message",
  "upgrade",
  "noop",
];

/** Wire digit of each packet type. Looked up by a closed union, so no prototype keys. */
const TYPE_DIGITS: Readonly<Record<EnginePacketType, string>> = {
  open: "0",
  close: "1",
  ping: "2",
  pong: "3",
  message: "4",
  upgrade: "5",
  noop: "6",
};

const CODE_0 = 48; // "0"
const CODE_MESSAGE = 52; // "4"
const CODE_6 = 54; // "6"
const CODE_BINARY = 98; // "b"

/**
 * Whether a text frame or payload record is a `message` packet (`4...`), by its first
 * char code, without decoding it. The hot path of incoming WebSocket text frames.
 */
export function isMessageText(text: string): boolean {
  return text.charCodeAt(0) === CODE_MESSAGE;
}

/**
 * Encodes one packet for a WebSocket frame or a payload record.
 *
 * A binary `message` is returned as the raw bytes when the transport carries binary
 * (`supportsBinary`: WebSocket), else as `b` + base64 (HTTP long-polling).
 *
 * @example
 * ```ts
 * encodePacket({ type: "message", data: "hello" }, true); // "4hello"
 * encodePacket({ type: "message", data: Uint8Array.of(1, 2, 3, 4) }, false); // "bAQIDBA=="
 * ```
 */
export function encodePacket(packet: EnginePacket, supportsBinary: boolean): string | Uint8Array {
  const data = packet.data;
  if (data === undefined) return TYPE_DIGITS[packet.type];
  if (typeof data === "string") return TYPE_DIGITS[packet.type] + data;
  return supportsBinary ? data : "b" + encodeBase64(data);
}

/**
 * Decodes one packet: a WebSocket frame (text or binary) or one payload record.
 *
 * Bytes are a binary `message`. Text is `<digit 0-6>[data]` or `b<base64>`. A
 * `message` packet always has string or binary `data` (`""` when empty); other types
 * carry `data` only when the text has some. Returns `null` for anything else (empty
 * text, unknown type, invalid base64); never throws.
 *
 * @example
 * ```ts
 * decodePacket("4hello"); // { type: "message", data: "hello" }
 * decodePacket("2probe"); // { type: "ping", data: "probe" }
 * decodePacket("abc"); // null
 * ```
 */
export function decodePacket(data: string | Uint8Array): EnginePacket | null {
  if (typeof data !== "string") {
    return data instanceof Uint8Array ? { type: "message", data } : null;
  }
  return decodeRecord(data, 0, data.length);
}

/** Decodes the record `text[start, end)`. */
function decodeRecord(text: string, start: number, end: number): EnginePacket | null {
  if (end <= start) return null;
  const code = text.charCodeAt(start);
  if (code === CODE_BINARY) {
    const bytes = decodeBase64(text, start + 1, end);
    return bytes === null ? null : { type: "message", data: bytes };
  }
  if (code < CODE_0 || code > CODE_6) return null;
  const type = PACKET_TYPES[code - CODE_0]!;
  if (end - start > 1) {
    return {
      type,
      data: start === 0 && end === text.length ? text.slice(1) : text.slice(start + 1, end),
    };
  }
  return code === CODE_MESSAGE ? { type, data: "" } : { type };
}

/**
 * Encodes packets as an HTTP long-polling payload: records joined by
 * {@link PAYLOAD_SEPARATOR}, binary as `b` + base64 (spec v4: "always use base64 when
 * encoding a payload with binary data").
 *
 * @example
 * ```ts
 * encodePayload([{ type: "message", data: "hello" }, { type: "message", data: Uint8Array.of(1, 2, 3, 4) }]);
 * // "4hello\x1ebAQIDBA=="
 * ```
 */
export function encodePayload(packets: readonly EnginePacket[]): string {
  let out = "";
  for (let i = 0; i < packets.length; i++) {
    if (i !== 0) out += PAYLOAD_SEPARATOR;
    out += encodePacket(packets[i]!, false) as string;
  }
  return out;
}

/**
 * Decodes an HTTP long-polling payload. Returns `null` when any record is invalid or
 * empty (an empty payload and a lone separator included), or when the payload holds
 * more than `maxPackets` records (checked while scanning, before anything is decoded
 * past the limit). Never throws.
 *
 * @example
 * ```ts
 * decodePayload("4hello\x1e2"); // [{ type: "message", data: "hello" }, { type: "ping" }]
 * decodePayload("4a\x1e"); // null
 * ```
 */
export function decodePayload(payload: string, maxPackets = Infinity): EnginePacket[] | null {
  const packets: EnginePacket[] = [];
  let start = 0;
  for (;;) {
    let end = payload.indexOf(PAYLOAD_SEPARATOR, start);
    if (end === -1) end = payload.length;
    if (packets.length >= maxPackets) return null;
    const packet = decodeRecord(payload, start, end);
    if (packet === null) return null;
    packets.push(packet);
    if (end === payload.length) return packets;
    start = end + 1;
  }
}
