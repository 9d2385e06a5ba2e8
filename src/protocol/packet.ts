/**
 * Socket.IO v5 packets (spec: socket.io-protocol, "Exchange protocol").
 *
 * @module
 */

/** Packet type ids, as they appear on the wire. */
export const PacketType = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;

/** A packet type id (0-6). */
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** One Socket.IO packet, decoded. */
export interface Packet {
  type: PacketType;
  /** The namespace, `/` for the main one. */
  nsp: string;
  /**
   * CONNECT: the auth object (client) or `{ sid }` (server); CONNECT_ERROR:
   * `{ message, data? }`; EVENT: `[name, ...args]`; ACK: `[...args]`.
   */
  data?: unknown;
  /** The acknowledgement id of an EVENT that wants an ACK, or of the ACK itself. */
  id?: number;
  /** BINARY_EVENT / BINARY_ACK: how many binary attachments follow. */
  attachments?: number;
}

/** Binary values the codec carries as attachments. `Blob` exists only in browsers. */
export type BinaryValue = ArrayBuffer | ArrayBufferView | Blob;

/** A binary attachment as the encoder hands it to the transport. */
export type Attachment = Uint8Array | Blob;

/**
 * Event names an application may not emit nor receive: they name the sockets' own
 * lifecycle events (socket.io-parser's RESERVED_EVENTS).
 */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

/** Default cap on binary attachments per packet (RELIABILITY A5-2, CVE-2026-33151). */
export const DEFAULT_MAX_ATTACHMENTS = 10;
