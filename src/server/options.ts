/**
 * The Socket.IO server's options: socket.io's (`path`, `connectTimeout`, `adapter`,
 * `parser`, `connectionStateRecovery`, ...) plus every engine option, plus pushwire's
 * limits, each with a default and an error code (docs/server.md, "Limits").
 *
 * @module
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ParsedUrlQuery } from "node:querystring";
import type { Adapter } from "../adapter/adapter.js";
import type { AdapterHost, RecoveryConfig } from "../adapter/contract.js";
import { RECOVERY_DEFAULTS } from "../adapter/session-aware.js";
import type { EngineServerOptions } from "../engine/options.js";
import { PushwireError } from "../errors.js";
import type { Packet } from "../protocol/index.js";

/**
 * Why a socket disconnected, as socket.io names it, plus the engine's `slow consumer`
 * (the client stopped reading and its outgoing buffer reached the limit).
 */
export type DisconnectReason =
  | "transport error"
  | "transport close"
  | "forced close"
  | "ping timeout"
  | "parse error"
  | "server shutting down"
  | "forced server close"
  | "client namespace disconnect"
  | "server namespace disconnect"
  | "slow consumer";

/** An incoming event as per-packet middleware sees it: `[name, ...args]`. */
export type Event = [string, ...any[]]; // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's type

/** The events pushwire emits on a socket. */
export interface SocketReservedEventsMap {
  disconnect: (reason: DisconnectReason, description?: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's type
  disconnecting: (reason: DisconnectReason, description?: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's type
  error: (err: Error) => void;
}

/** Reasons after which a session is kept for recovery (socket.io's list, plus slow consumer). */
/** @internal */
export const RECOVERABLE_REASONS: ReadonlySet<DisconnectReason> = new Set<DisconnectReason>([
  "transport error",
  "transport close",
  "forced close",
  "ping timeout",
  "server shutting down",
  "forced server close",
  "slow consumer",
]);

/** The handshake details of a socket, as socket.io gives them. */
export interface Handshake {
  /** The headers of the request that opened the connection. */
  headers: IncomingHttpHeaders;
  /** When the socket was created, as a string. */
  time: string;
  /** The client's IP address. */
  address: string;
  /** Whether the request carried an `Origin` header. */
  xdomain: boolean;
  /** Whether the connection came over TLS. */
  secure: boolean;
  /** When the socket was created, in ms since the epoch. */
  issued: number;
  /** The request URL. */
  url: string;
  /** The query parameters of the request. */
  query: ParsedUrlQuery;
  /** The `auth` payload of the CONNECT packet. */
  auth: { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's type
}

/** An error a middleware passes to `next()`; `data` reaches the client with the message. */
export interface ExtendedError extends Error {
  data?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's type
}

/** An adapter class (`new Adapter(nsp)`), or a function that returns an adapter. */
export type AdapterConstructor = typeof Adapter | ((nsp: AdapterHost) => Adapter);

/**
 * A custom packet codec, as socket.io's `parser` option: an encoder class and a
 * decoder class. The decoder either returns each packet from `add()` (pushwire's) or
 * emits `decoded` (socket.io-parser style). A custom parser is trusted to validate
 * what it decodes as strictly as the default one.
 */
export interface Parser {
  Encoder: new () => { encode(packet: Packet): unknown[] };
  /** Constructed with `{ maxAttachments }`, which a decoder may ignore. */
  Decoder: new (options?: any) => ParserDecoder; // eslint-disable-line @typescript-eslint/no-explicit-any -- any decoder class, whatever its options type
}

/** The decoder half of a {@link Parser}. */
export interface ParserDecoder {
  add(chunk: unknown): Packet | undefined | void;
  destroy(): void;
  on?(event: "decoded", listener: (packet: Packet) => void): unknown;
}

/** Connection state recovery, as socket.io's option, with pushwire's buffer caps. */
export interface ConnectionStateRecoveryOptions {
  /** How long a session and its missed packets are kept. Default 120000 ms. */
  maxDisconnectionDuration?: number;
  /**
   * Skip the middlewares when a session is recovered. Default **false**, unlike
   * socket.io (true): whoever holds a `pid` would otherwise recover a session without
   * passing authentication (RELIABILITY 2.4 gap 4).
   */
  skipMiddlewares?: boolean;
  /** Most packets kept for replay per namespace. Default 10000. */
  maxBufferedPackets?: number;
  /** Most bytes (encoded) kept for replay per namespace. Default 16 MiB. */
  maxBufferedBytes?: number;
}

/** Options of {@link Server}. Engine options (`pingInterval`, `cors`, ...) pass through. */
export interface ServerOptions extends EngineServerOptions {
  /** The path to answer under. Default `"/socket.io"`. */
  path?: string;
  /** Serve the client bundle at `<path>/socket.io.js`. Default true. */
  serveClient?: boolean;
  /** The adapter. Default: the in-memory one (with recovery when that is on). */
  adapter?: AdapterConstructor;
  /** A custom packet codec. Default: pushwire's Socket.IO v5 codec. */
  parser?: Parser;
  /** Milliseconds a connection may stay without any namespace. Default 45000. */
  connectTimeout?: number;
  /** Restore a client's id, rooms, data and missed packets after a short disconnection. */
  connectionStateRecovery?: ConnectionStateRecoveryOptions;
  /** Remove a dynamic child namespace once its last socket leaves. Default false (as socket.io). */
  cleanupEmptyChildNamespaces?: boolean;
  /** Most acknowledgements one socket may wait for at once. Default 10000. */
  maxPendingAcks?: number;
  /** Most rooms one socket may be in (its own room not counted). Default 10000. */
  maxRoomsPerSocket?: number;
  /** Most namespaces one connection may connect or be connecting. Default 100. */
  maxNamespacesPerConnection?: number;
  /** Milliseconds a binary packet may wait for its attachments. Default 30000. */
  binaryTimeout?: number;
  /** Most binary attachments in one packet. Default 10. */
  maxAttachments?: number;
}

/** @internal */
export interface ResolvedServerOptions {
  path: string;
  serveClient: boolean;
  connectTimeout: number;
  recovery: (RecoveryConfig & { skipMiddlewares: boolean }) | null;
  cleanupEmptyChildNamespaces: boolean;
  maxPendingAcks: number;
  maxRoomsPerSocket: number;
  maxNamespacesPerConnection: number;
  binaryTimeout: number;
  maxAttachments: number;
}

function invalid(message: string): PushwireError {
  return new PushwireError("PW_ERR_SERVER_INVALID_OPTION", message);
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw invalid(`${name} must be a finite number, 0 or more`);
  }
  return value;
}

/** @internal */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const csr = options.connectionStateRecovery;
  return {
    path: (options.path ?? "/socket.io").replace(/\/$/, ""),
    serveClient: options.serveClient !== false,
    connectTimeout: count(options.connectTimeout, 45_000, "connectTimeout") || 45_000,
    recovery:
      csr === undefined || (csr as unknown) === false
        ? null
        : {
            maxDisconnectionDuration: count(
              csr.maxDisconnectionDuration,
              RECOVERY_DEFAULTS.maxDisconnectionDuration,
              "connectionStateRecovery.maxDisconnectionDuration",
            ),
            maxBufferedPackets: count(
              csr.maxBufferedPackets,
              RECOVERY_DEFAULTS.maxBufferedPackets,
              "connectionStateRecovery.maxBufferedPackets",
            ),
            maxBufferedBytes: count(
              csr.maxBufferedBytes,
              RECOVERY_DEFAULTS.maxBufferedBytes,
              "connectionStateRecovery.maxBufferedBytes",
            ),
            skipMiddlewares: csr.skipMiddlewares === true,
          },
    cleanupEmptyChildNamespaces: options.cleanupEmptyChildNamespaces === true,
    maxPendingAcks: count(options.maxPendingAcks, 10_000, "maxPendingAcks"),
    maxRoomsPerSocket: count(options.maxRoomsPerSocket, 10_000, "maxRoomsPerSocket"),
    maxNamespacesPerConnection: count(
      options.maxNamespacesPerConnection,
      100,
      "maxNamespacesPerConnection",
    ),
    binaryTimeout: count(options.binaryTimeout, 30_000, "binaryTimeout") || 30_000,
    maxAttachments: count(options.maxAttachments, 10, "maxAttachments"),
  };
}
