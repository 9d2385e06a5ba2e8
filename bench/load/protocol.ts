/**
 * The slice of Engine.IO v4 / Socket.IO v5 that the load generator speaks, written for a
 * cheap client: incoming frames are read straight from the bytes (no `toString`, no
 * `JSON.parse`) because at a few million deliveries per second the client, not the
 * server, would otherwise be what is measured. Pure: no sockets, no timers.
 *
 * Wire forms used (Engine.IO v4 §packet encoding, Socket.IO v5 §packet format):
 * - `0{"sid":…,"pingInterval":…}` open, `2` ping, `3` pong, `1` close, `6` noop;
 * - `40` connect to `/`, answered by `40{"sid":…}`; `44{…}` connect error;
 * - `42["b",7,"…"]` an event whose first argument is a sequence number;
 * - `42<id>["echo",7,"…"]` an event with an ack id, answered by `43<id>[7,"…"]`;
 * - HTTP long-polling bodies join packets with the record separator `\x1e`.
 *
 * @module
 */

/** The fields of the Engine.IO open packet the load generator uses. */
export interface OpenPacket {
  sid: string;
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
  upgrades: string[];
}

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_QUOTE = 0x22;
const CH_BRACKET = 0x5b;
const CH_COMMA = 0x2c;
const CH_MINUS = 0x2d;

/** Engine.IO v4 packet types as their first byte. */
export const EIO = {
  OPEN: 0x30,
  CLOSE: 0x31,
  PING: 0x32,
  PONG: 0x33,
  MESSAGE: 0x34,
  UPGRADE: 0x35,
  NOOP: 0x36,
} as const;

/** Socket.IO v5 packet types as the byte after the Engine.IO `4`. */
export const SIO = {
  CONNECT: 0x30,
  DISCONNECT: 0x31,
  EVENT: 0x32,
  ACK: 0x33,
  CONNECT_ERROR: 0x34,
} as const;

/** Parses the JSON of an Engine.IO open packet (`0{…}`); throws on anything else. */
export function parseOpen(text: string): OpenPacket {
  if (text.charCodeAt(0) !== EIO.OPEN) throw new Error(`not an open packet: ${text.slice(0, 40)}`);
  const data = JSON.parse(text.slice(1)) as Partial<OpenPacket>;
  if (typeof data.sid !== "string" || typeof data.pingInterval !== "number") {
    throw new Error(`open packet without sid or pingInterval: ${text.slice(0, 80)}`);
  }
  return {
    sid: data.sid,
    pingInterval: data.pingInterval,
    pingTimeout: typeof data.pingTimeout === "number" ? data.pingTimeout : 20000,
    maxPayload: typeof data.maxPayload === "number" ? data.maxPayload : 1e6,
    upgrades: Array.isArray(data.upgrades) ? data.upgrades : [],
  };
}

/** Reads a non-negative decimal integer at `at`; returns -1 if there is none. */
function readUint(bytes: Uint8Array, at: number, end: number): [value: number, next: number] {
  let value = 0;
  let i = at;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < CH_0 || c > CH_9) break;
    value = value * 10 + (c - CH_0);
  }
  return i === at ? [-1, at] : [value, i];
}

/** Reads an optionally negative integer at `at`; NaN if there is none. */
function readInt(bytes: Uint8Array, at: number, end: number): number {
  const negative = bytes[at] === CH_MINUS;
  const [value] = readUint(bytes, negative ? at + 1 : at, end);
  if (value < 0) return Number.NaN;
  return negative ? -value : value;
}

/** A Socket.IO EVENT on `/` whose first argument is an integer: `42["b",7,…]`. */
export interface SeqEvent {
  /** The event name's bytes as a string (only the short names the bench uses). */
  name: string;
  seq: number;
}

/**
 * Reads `42["<name>",<int>…` (no ack id, root namespace) from the bytes of one Engine.IO
 * message; null for any other shape.
 */
export function readSeqEvent(bytes: Uint8Array, length = bytes.length): SeqEvent | null {
  if (length < 8 || bytes[0] !== EIO.MESSAGE || bytes[1] !== SIO.EVENT) return null;
  if (bytes[2] !== CH_BRACKET || bytes[3] !== CH_QUOTE) return null;
  let i = 4;
  let name = "";
  for (; i < length && bytes[i] !== CH_QUOTE; i++) name += String.fromCharCode(bytes[i]!);
  if (bytes[i + 1] !== CH_COMMA) return null;
  const seq = readInt(bytes, i + 2, length);
  return Number.isNaN(seq) ? null : { name, seq };
}

/** A Socket.IO ACK on `/` whose first argument is an integer: `43<id>[<int>,…]`. */
export interface SeqAck {
  id: number;
  /** The first argument; NaN when the ack carries no integer first. */
  seq: number;
}

/** Reads `43<id>[<int>…` from the bytes of one Engine.IO message; null for any other shape. */
export function readSeqAck(bytes: Uint8Array, length = bytes.length): SeqAck | null {
  if (length < 5 || bytes[0] !== EIO.MESSAGE || bytes[1] !== SIO.ACK) return null;
  const [id, next] = readUint(bytes, 2, length);
  if (id < 0 || bytes[next] !== CH_BRACKET) return null;
  return { id, seq: readInt(bytes, next + 1, length) };
}

/** The text of one packet: `42<id>["<event>",<seq>,"<payload>"]` (`payload` must need no escaping). */
export function encodeSeqEvent(
  event: string,
  seq: number,
  payload: string,
  ackId?: number,
): string {
  return `42${ackId === undefined ? "" : ackId}["${event}",${seq},"${payload}"]`;
}

/** A string ASCII encoder for strings the bench builds itself (no escaping, one byte per char). */
export function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Splits an HTTP long-polling body into its packets (Engine.IO v4: separator `\x1e`). */
export function splitPayload(body: string): string[] {
  return body.length === 0 ? [] : body.split("\x1e");
}

/** Joins packets into one HTTP long-polling body. */
export function joinPayload(packets: readonly string[]): string {
  return packets.join("\x1e");
}

/**
 * The sid of a Socket.IO CONNECT answer (`40{"sid":"…"}`), or null if the packet is not
 * one; a CONNECT_ERROR (`44{…}`) throws with its message.
 */
export function readConnect(text: string): string | null {
  if (text.startsWith("44")) {
    let message = text.slice(2);
    try {
      message = (JSON.parse(message) as { message?: string }).message ?? message;
    } catch {
      // Not JSON: report the raw text.
    }
    throw new Error(`connect error: ${message}`);
  }
  if (!text.startsWith("40")) return null;
  const body = text.slice(2);
  if (body.length === 0) return "";
  const data = JSON.parse(body) as { sid?: unknown };
  return typeof data.sid === "string" ? data.sid : "";
}

/**
 * The local address for the i-th of `total` connections, or undefined to let the kernel
 * choose. Beyond one address's share of the ephemeral port range (Linux
 * `ip_local_port_range` is ~28k ports by default) connections are spread over
 * 127.0.0.1..127.0.0.<n>, each with its own ports. Below it no address is bound: binding
 * before connecting cannot reuse loopback ports in TIME_WAIT (`tcp_tw_reuse`), so
 * back-to-back runs would run out of ports.
 */
export function sourceAddress(
  index: number,
  total: number,
  portsPerAddress = 25_000,
): string | undefined {
  if (total <= portsPerAddress) return undefined;
  const addresses = Math.min(254, Math.ceil(total / portsPerAddress));
  return `127.0.0.${1 + (index % addresses)}`;
}
