/**
 * The adapter contract: what an adapter sees of its namespace (the {@link AdapterHost})
 * and of each local socket (the {@link AdapterSocket}), and the shapes it exchanges with
 * the server layer. The adapter never imports the server (DESIGN: "adapter/ imports the
 * protocol, never the server"); the server's `Namespace` and `Socket` implement these
 * interfaces.
 *
 * @module
 */
import type { Packet } from "../protocol/index.js";

/** A socket id (`socket.id`, distinct from the Engine.IO sid). */
export type SocketId = string;
/** The private id a client presents to recover its session (`pid`). A bearer secret. */
export type PrivateSessionId = string;
/** A room name. Every socket is implicitly in the room named after its own id. */
export type Room = string;

/** Modifiers of one broadcast, as socket.io names them. */
export interface BroadcastFlags {
  /** May be dropped for a recipient whose outgoing buffer is not empty. */
  volatile?: boolean;
  /** Ask for permessage-deflate on this message. */
  compress?: boolean;
  /** Deliver to this node's sockets only (a cluster adapter does not publish it). */
  local?: boolean;
  /** Set by socket.io on `socket.broadcast`; carried for cluster adapters. */
  broadcast?: boolean;
  /** Milliseconds to wait for acknowledgements, with `emit(..., ack)`. */
  timeout?: number;
  /** Set by `RemoteSocket`: the ack receives one response, not an array. */
  expectSingleResponse?: boolean;
}

/** Who receives a broadcast: sockets in any of `rooms` (all if empty), minus those in `except`. */
export interface BroadcastOptions {
  rooms: Set<Room>;
  except?: Set<Room>;
  flags?: BroadcastFlags;
}

/**
 * One encoded part of a packet, wrapped for sending to many sessions: the engine frames
 * it once per transport kind and every recipient gets the same bytes (DESIGN,
 * "Performance principles" 1). Structurally the engine's `PreparedMessage`.
 */
export interface PreparedPart {
  readonly data: string | Uint8Array;
}

/** How one message is written to a session. */
export interface WriteFlags {
  readonly volatile?: boolean;
  readonly compress?: boolean;
}

/** What an adapter needs of a local socket. The server's `Socket` implements it. */
export interface AdapterSocket {
  readonly id: SocketId;
  /** The handshake details (serialized by cluster adapters for `fetchSockets`). */
  readonly handshake: unknown;
  /** The application's data attached to the socket. */
  readonly data: unknown;
  /** Rooms the socket is in, its own id included. */
  readonly rooms: Set<Room>;
  /**
   * Writes a broadcast packet whose parts were encoded and prepared once for every
   * recipient. `packet` is the decoded form, for outgoing listeners (`onAnyOutgoing`).
   */
  writePrepared(packet: Packet, parts: readonly PreparedPart[], flags: WriteFlags): void;
  /**
   * Registers `ack` for the ACK packet with `id` (a broadcast with acknowledgement).
   * Returns false, without registering, when the socket has reached its limit of
   * pending acknowledgements.
   */
  expectAck(id: number, ack: (...args: unknown[]) => void): boolean;
  /** Forgets a pending acknowledgement (after a broadcast timed out). */
  forgetAck(id: number): void;
  join(rooms: Room | Room[]): unknown;
  leave(room: Room): unknown;
  disconnect(close?: boolean): unknown;
}

/** A socket as another node describes it (`fetchSockets` across a cluster). */
export interface SocketDetails {
  id: SocketId;
  handshake: unknown;
  rooms: Room[];
  data: unknown;
}

/** Connection state recovery settings, as the adapter reads them. */
export interface RecoveryConfig {
  /** Milliseconds a session and the packets it missed are kept after a disconnection. */
  readonly maxDisconnectionDuration: number;
  /** Most packets kept for replay per namespace (RELIABILITY B8). */
  readonly maxBufferedPackets: number;
  /** Most bytes (encoded size) kept for replay per namespace (RELIABILITY B8). */
  readonly maxBufferedBytes: number;
}

/**
 * What an adapter sees of its namespace. The server's `Namespace` implements it; an
 * adapter receives it as the constructor argument and keeps it as `adapter.nsp`.
 */
export interface AdapterHost {
  /** The namespace name: `/` or `/admin`. */
  readonly name: string;
  /** The connected sockets of this namespace on this node, by id. */
  readonly sockets: ReadonlyMap<SocketId, AdapterSocket>;
  /** Connection state recovery settings, or null when recovery is off. */
  readonly recovery: RecoveryConfig | null;
  /** Encodes a packet with the server's parser: the text part, then binary attachments. */
  encode(packet: Packet): readonly (string | Uint8Array)[];
  /** Wraps one encoded part so that it is framed once for all recipients. */
  prepare(part: string | Uint8Array): PreparedPart;
  /** A fresh acknowledgement id from the namespace's counter. */
  nextAckId(): number;
  /** Hands a server-side event (`[name, ...args]`) from another node to the namespace's listeners. */
  onServerSideEmit(args: unknown[]): void;
}

/** What `persistSession` receives when a socket disconnects with a recoverable reason. */
export interface SessionToPersist {
  sid: SocketId;
  pid: PrivateSessionId;
  rooms: Room[];
  data: unknown;
}

/** A restored session, with the EVENT payloads (`[name, ...args, offset]`) it missed. */
export interface Session extends SessionToPersist {
  missedPackets: unknown[][];
}
