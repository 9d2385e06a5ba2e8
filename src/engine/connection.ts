/**
 * What the layer above (the Socket.IO server, the in-process test transport) sees of
 * one Engine.IO session. This is the seam between `engine/` and `server/`: the server
 * layer is written against this interface only, so that any transport that honours it
 * (HTTP long-polling, WebSocket, an in-process loopback) can carry Socket.IO.
 *
 * @module
 */
import type { IncomingHttpHeaders } from "node:http";
import type { EnginePacket } from "./codec.js";

/** One Engine.IO message payload: text, or binary. */
export type RawData = string | Uint8Array;

/**
 * Why a session closed, as Engine.IO names it (surfaced to Socket.IO's `disconnect`).
 * - `transport close`: the peer closed the transport or sent a close packet.
 * - `transport error`: the transport failed (reset, write error, invalid frame).
 * - `ping timeout`: no pong within `pingTimeout` of a ping.
 * - `parse error`: the peer sent bytes that are not Engine.IO.
 * - `forced close`: the layer above called `close()`.
 * - `forced server close`: the server is shutting down.
 * - `slow consumer`: the outgoing buffer reached its limit (the peer stopped reading).
 */
export type CloseReason =
  | "transport close"
  | "transport error"
  | "ping timeout"
  | "parse error"
  | "forced close"
  | "forced server close"
  | "slow consumer";

/**
 * A snapshot of the HTTP request that opened the session. The request object itself is
 * not retained: it holds the socket, the parser and every header buffer.
 */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
  readonly secure: boolean;
}

/** Options for one outgoing message. */
export interface SendOptions {
  /** Ask for permessage-deflate on this frame, when the transport negotiated it. */
  readonly compress?: boolean;
  /** May be dropped instead of queued when the session's outgoing buffer is not empty. */
  readonly volatile?: boolean;
}

/**
 * A message encoded once and sent to many sessions (a broadcast). Each transport asks
 * for its own form once, and every later recipient reuses it: the WebSocket frame
 * bytes are built for the first WebSocket recipient and written as they are to the
 * rest; polling recipients share the `4`-prefixed string.
 */
export interface PreparedMessage {
  readonly data: RawData;
}

/**
 * Events of a session, for listeners added with `on` (engine.io's socket events, as
 * socket.io users reach them through `socket.conn`).
 */
export interface ConnectionEvents {
  /** A packet arrived (any type). */
  packet: (packet: EnginePacket) => void;
  /** A message packet is being sent. */
  packetCreate: (packet: EnginePacket) => void;
  /** A message arrived (also given to `onmessage`). */
  message: (data: RawData) => void;
  /** The probe succeeded; the upgrade to WebSocket is under way. */
  upgrading: (transport: { readonly name: string }) => void;
  /** The session now runs on WebSocket. */
  upgrade: (transport: { readonly name: string }) => void;
  /** What was queued has been written. */
  drain: () => void;
  /** The client answered a ping. */
  heartbeat: () => void;
  /** The session ended (also given to `onclose`). */
  close: (reason: CloseReason, description?: unknown) => void;
}

/**
 * The layer above as a receiver of one connection's messages and close.
 *
 * @internal
 */
export interface ConnectionHandler {
  onEngineMessage(data: RawData): void;
  onEngineClose(reason: CloseReason, description?: unknown): void;
}

/** One Engine.IO session as the layer above drives it. */
export interface EngineConnection {
  /** The Engine.IO session id (`sid`). A bearer secret: never broadcast it. */
  readonly id: string;
  /** Engine.IO protocol revision in use (always 4). */
  readonly protocol: number;
  /** The handshake request, as a snapshot. */
  readonly request: RequestInfo;
  /** Name of the current transport: `polling`, `websocket`, or a custom one. */
  readonly transportName: string;
  /** The current transport, as engine.io exposes it (`socket.conn.transport.name`). */
  readonly transport: { readonly name: string };
  /** The client's address, from the handshake. */
  readonly remoteAddress: string;
  /** `opening` until the open packet is sent, `open`, then `closing` and `closed`. */
  readonly readyState: "opening" | "open" | "closing" | "closed";

  /** Called with each incoming message packet's payload. Set by the layer above. */
  onmessage: ((data: RawData) => void) | null;
  /** Called once when the session ends. Set by the layer above. */
  onclose: ((reason: CloseReason, description?: unknown) => void) | null;
  /**
   * Where a connection that has this slot (the engine's sessions) delivers messages and
   * its close, as method calls, before `onmessage` / `onclose`: the layer above then
   * needs no closure per connection. Absent on connections without it.
   *
   * @internal
   */
  handler?: ConnectionHandler | null;

  /**
   * Queues one message packet. Packets queued during one event-loop turn leave in one
   * write before the turn ends.
   */
  send(data: RawData, options?: SendOptions): void;
  /** Queues a pre-encoded broadcast message (see {@link PreparedMessage}). */
  sendPrepared(message: PreparedMessage, options?: SendOptions): void;
  /** Flushes what is queued, then closes the session (`forced close`). */
  close(): void;

  /**
   * Listens to a session event (engine.io's socket events). Implementations create
   * their emitter on the first call, so that sessions nobody listens to carry none.
   *
   * @example
   * ```ts
   * io.on("connection", (socket) => {
   *   socket.conn.once("upgrade", (transport) => console.log("upgraded to", transport.name));
   * });
   * ```
   */
  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  /** Listens to a session event once. */
  once<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  /** Removes a listener added with `on` or `once`. */
  off<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
}
