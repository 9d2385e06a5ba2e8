/**
 * Socket.IO v5 packet decoder, with the validation the spec asks for and the limits
 * our peers learned the hard way (RELIABILITY A5, A6).
 *
 * Parsing is linear: each part of the header is cut with one `substring`, never built
 * a character at a time (CVE-2020-36049).
 *
 * @module
 */
import { PushwireError, type ErrorCode } from "../errors.js";
import { reconstruct } from "./binary.js";
import { DEFAULT_MAX_ATTACHMENTS, PacketType, RESERVED_EVENTS, type Packet } from "./packet.js";

/** Options of {@link Decoder}. */
export interface DecoderOptions {
  /**
   * Most binary attachments one packet may announce (RELIABILITY A5-2).
   * @defaultValue 10
   */
  readonly maxAttachments?: number;
}

/** Longest ack id we read: 2^53 - 1 has 16 digits. */
const MAX_ID_DIGITS = 16;

function fail(code: ErrorCode, message: string): PushwireError {
  return new PushwireError(code, message);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether the payload fits the packet type (spec: "Exchange protocol"). */
export function isValidPayload(type: PacketType, data: unknown): boolean {
  switch (type) {
    case PacketType.CONNECT:
      return data === undefined || isObject(data);
    case PacketType.DISCONNECT:
      return data === undefined;
    case PacketType.CONNECT_ERROR:
      return typeof data === "string" || isObject(data);
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT: {
      if (!Array.isArray(data) || data.length === 0) return false;
      const name: unknown = data[0];
      return (
        (typeof name === "string" && !RESERVED_EVENTS.has(name)) ||
        (typeof name === "number" && Number.isFinite(name))
      );
    }
    case PacketType.ACK:
    case PacketType.BINARY_ACK:
      return Array.isArray(data);
    default:
      return false;
  }
}

/**
 * Decodes the text part of a packet. For a binary packet, `attachments` says how many
 * binary messages must follow; the data still holds their placeholders.
 *
 * @throws PushwireError with a `PW_ERR_PROTOCOL_*` code on invalid input.
 */
export function decodeText(str: string, maxAttachments = DEFAULT_MAX_ATTACHMENTS): Packet {
  const length = str.length;
  const type = str.charCodeAt(0) - 48;
  if (!(type >= 0 && type <= 6)) throw fail("PW_ERR_PROTOCOL_UNKNOWN_TYPE", "unknown packet type");
  let i = 1;

  let attachments = 0;
  const binary = type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK;
  if (binary) {
    const start = i;
    while (i < length && isDigit(str.charCodeAt(i)) && i - start <= 10) i++;
    if (i === start || str.charCodeAt(i) !== 45 /* - */) {
      throw fail("PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS", "illegal attachments: bad count");
    }
    attachments = Number(str.substring(start, i));
    if (attachments > maxAttachments) {
      throw fail(
        "PW_ERR_PROTOCOL_TOO_MANY_ATTACHMENTS",
        `too many attachments: ${attachments} > ${maxAttachments}`,
      );
    }
    i++;
  }

  let nsp = "/";
  if (str.charCodeAt(i) === 47 /* / */) {
    const comma = str.indexOf(",", i);
    const end = comma === -1 ? length : comma;
    nsp = str.substring(i, end);
    i = comma === -1 ? length : comma + 1;
  }

  let id: number | undefined;
  if (i < length && isDigit(str.charCodeAt(i))) {
    const start = i;
    while (i < length && isDigit(str.charCodeAt(i))) i++;
    if (
      i - start > MAX_ID_DIGITS ||
      !Number.isSafeInteger((id = Number(str.substring(start, i))))
    ) {
      throw fail("PW_ERR_PROTOCOL_INVALID_PACKET", "invalid packet: ack id out of range");
    }
  }

  let data: unknown;
  if (i < length) {
    try {
      data = JSON.parse(str.substring(i));
    } catch {
      throw fail("PW_ERR_PROTOCOL_INVALID_PAYLOAD", "invalid payload: not JSON");
    }
  }
  if (!isValidPayload(type as PacketType, data)) {
    throw fail("PW_ERR_PROTOCOL_INVALID_PAYLOAD", "invalid payload for the packet type");
  }
  const packet: Packet = { type: type as PacketType, nsp, data, id };
  if (binary) packet.attachments = attachments;
  return packet;
}

/**
 * A stateful decoder for one connection: text packets decode at once; a binary packet
 * is held until all of its attachments have arrived.
 *
 * After it throws, the connection must be closed: its state is undefined.
 *
 * @example
 * ```ts
 * const decoder = new Decoder();
 * decoder.add('451-["file",{"_placeholder":true,"num":0}]'); // undefined: waits
 * decoder.add(bytes); // { type: 5, nsp: "/", data: ["file", bytes], id: undefined }
 * ```
 */
export class Decoder {
  readonly #maxAttachments: number;
  #pending: Packet | null = null;
  #buffers: unknown[] = [];

  constructor(options: DecoderOptions = {}) {
    this.#maxAttachments = options.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS;
  }

  /** Whether a binary packet is waiting for attachments. */
  get reconstructing(): boolean {
    return this.#pending !== null;
  }

  /**
   * Feeds one Engine.IO message. Returns the packet once it is complete, `undefined`
   * while a binary packet waits for its attachments.
   *
   * @throws PushwireError with a `PW_ERR_PROTOCOL_*` code on invalid input.
   */
  add(chunk: string | Uint8Array | ArrayBuffer): Packet | undefined {
    if (typeof chunk === "string") {
      if (this.#pending !== null) {
        throw fail(
          "PW_ERR_PROTOCOL_UNEXPECTED_TEXT",
          "got text data while reconstructing a packet",
        );
      }
      const packet = decodeText(chunk, this.#maxAttachments);
      if (packet.attachments === undefined) return packet;
      if (packet.attachments === 0) return this.#complete(packet, []);
      this.#pending = packet;
      return undefined;
    }
    const pending = this.#pending;
    if (pending === null) {
      throw fail(
        "PW_ERR_PROTOCOL_UNEXPECTED_BINARY",
        "got binary data while not reconstructing a packet",
      );
    }
    this.#buffers.push(chunk);
    if (this.#buffers.length < pending.attachments!) return undefined;
    const buffers = this.#buffers;
    this.destroy();
    return this.#complete(pending, buffers);
  }

  /** Drops a half-received binary packet. */
  destroy(): void {
    this.#pending = null;
    this.#buffers = [];
  }

  #complete(packet: Packet, buffers: unknown[]): Packet {
    packet.data = reconstruct(packet.data, buffers);
    delete packet.attachments;
    return packet;
  }
}
