/**
 * The seam between the Engine.IO client and whatever carries its packets.
 *
 * A transport moves Engine.IO packets and nothing else: the engine client above it
 * does the handshake, the heartbeat, buffering and the upgrade. So a transport that
 * honours this contract can replace HTTP long-polling and WebSocket, such as the
 * in-process loopback of `pushwire/testing`. The contract:
 *
 * - The engine constructs it with a {@link TransportContext} (options, the query of
 *   its requests, the sink to report to), then calls `open()` once.
 * - It reports to `sink`, which the engine may replace at any time (an upgraded probe
 *   is re-pointed at the engine; a dropped transport at a no-op sink):
 *   `onOpen()` once it can carry packets; `onPacket(p)` for each packet received, in
 *   order, the first one being the handshake `open` packet
 *   (`{ sid, upgrades, pingInterval, pingTimeout, maxPayload }` as JSON, spec
 *   "Handshake") unless the transport is being probed for an upgrade; `onDrain()` when
 *   a `send` is done and `writable` is true again; `onError(err)` on failure (the
 *   engine then closes it); `onClose(description)` when the peer or the network closed
 *   it.
 * - `send(packets)` is called only while `writable`; it sets `writable` to false until
 *   it calls `onDrain()`, which it may do before `send` returns (an in-process
 *   transport), once it no longer reads `packets`. Packets carry text or `Uint8Array`
 *   data.
 * - `pause(onPause)` stops receiving (a pending poll may finish) and calls `onPause`
 *   once nothing is in flight: the engine then switches to the upgraded transport.
 * - `close()` tells the peer when it can, releases every resource, and reports
 *   nothing more.
 *
 * @module
 */
import type { EnginePacket } from "../engine/codec.js";
import { PushwireError } from "../errors.js";
import type { CookieJar } from "./cookie-jar.js";

/** Options of the Engine.IO connection. */
export interface EngineOptions {
  /** Host name (taken from the URL when there is one). */
  hostname?: string;
  /** `host[:port]`, an alternative to `hostname`. */
  host?: string;
  /** Port (taken from the URL; else the scheme's default). */
  port?: string | number;
  /** TLS: `https` / `wss` (taken from the URL). */
  secure?: boolean;
  /**
   * The Engine.IO path.
   * @defaultValue "/engine.io" (the Manager sets "/socket.io")
   */
  path?: string;
  /** Query parameters sent with every request (an object, or a query string). */
  query?: Record<string, string> | string;
  /**
   * Transports to use, in order: names (`"polling"`, `"websocket"`) or transport
   * classes (`[WebSocket]`, or a custom one).
   * @defaultValue ["polling", "websocket"]
   */
  transports?: ReadonlyArray<string | TransportConstructor>;
  /**
   * Try to upgrade from polling to a better transport after the handshake.
   * @defaultValue true
   */
  upgrade?: boolean;
  /**
   * Open with WebSocket at once when the last WebSocket connection of this page worked.
   * @defaultValue false
   */
  rememberUpgrade?: boolean;
  /**
   * When the first transport fails to open, try the next one.
   * @defaultValue false
   */
  tryAllTransports?: boolean;
  /** Add a cache-busting parameter to each request (always on for polling unless `false`). */
  timestampRequests?: boolean;
  /** @defaultValue "t" */
  timestampParam?: string;
  /** @defaultValue true */
  addTrailingSlash?: boolean;
  /**
   * Send cookies cross-origin (browsers), and keep a cookie jar (Node).
   * @defaultValue false
   */
  withCredentials?: boolean;
  /** Headers sent with every HTTP request (and the WebSocket handshake on Node). */
  extraHeaders?: Record<string, string>;
  /** Send binary as base64 text even where binary frames would do. */
  forceBase64?: boolean;
  /**
   * Close the connection silently when the page unloads (no `disconnect` event).
   * @defaultValue false
   */
  closeOnBeforeunload?: boolean;
  /** Per-transport overrides of these options, by transport name. */
  transportOptions?: Record<string, Partial<EngineOptions>>;
  /** Node: let the process exit while only this connection is left. */
  autoUnref?: boolean;
  /** WebSocket sub-protocols. */
  protocols?: string | string[];
  /** Node (`ws`): verify the server's TLS certificate. @defaultValue true */
  rejectUnauthorized?: boolean;
  /** Node (`ws`): permessage-deflate settings; frames below `threshold` bytes are sent uncompressed. */
  perMessageDeflate?: boolean | { threshold?: number };
  /** Node (`ws`): an `http.Agent`, TLS material and the like, passed to `ws` as they are. */
  agent?: unknown;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  pfx?: unknown;
  passphrase?: string;
  ciphers?: string;
  localAddress?: string;
}

/** An outgoing packet, with the per-message options of `socket.compress()`. */
export interface OutgoingPacket extends EnginePacket {
  options?: { compress?: boolean };
}

/** Why a transport or a connection closed: an error, or a description with its context. */
export type DisconnectDescription = Error | { description: string; context?: unknown };

/**
 * Where a transport reports. See the module comment for the contract.
 */
export interface TransportSink {
  onOpen(): void;
  onPacket(packet: EnginePacket): void;
  onDrain(): void;
  /** A {@link TransportError}, or `PW_ERR_ENGINE_INVALID_PACKET` for bytes that are not Engine.IO. */
  onError(error: PushwireError): void;
  onClose(description?: DisconnectDescription): void;
}

/** Engine options with the address resolved. */
export interface ResolvedEngineOptions extends EngineOptions {
  hostname: string;
  port: string;
  secure: boolean;
  path: string;
}

/**
 * What a transport is constructed with.
 */
export interface TransportContext {
  /** The engine's options merged with `transportOptions[name]`. */
  readonly opts: ResolvedEngineOptions;
  /**
   * The query of every request: the user's `query`, `EIO=4`, `transport`, and `sid`
   * once the handshake gave one (the engine adds it to this same object).
   */
  readonly query: Record<string, string>;
  /** Node: cookies kept across requests when `withCredentials` is set. */
  readonly cookieJar: CookieJar | undefined;
  /** Where to report first. */
  readonly sink: TransportSink;
}

/**
 * One transport. See the module comment for the contract.
 */
export interface Transport {
  /** Its name, as sent in the `transport` query parameter. */
  readonly name: string;
  /** Whether `send` may be called now. */
  readonly writable: boolean;
  /** Where it reports; the engine may replace it. */
  sink: TransportSink;
  open(): void;
  send(packets: readonly OutgoingPacket[]): void;
  pause(onPause: () => void): void;
  close(): void;
}

/**
 * A transport class, as given in the `transports` option. Its name is read from the
 * prototype before any instance exists (engine.io-client does the same).
 */
export interface TransportConstructor {
  new (context: TransportContext): Transport;
  readonly prototype: { readonly name: string };
}

/**
 * A transport failed: `message` is engine.io-client's (`xhr poll error`, `websocket
 * error`, ...), `description` and `context` say more (an HTTP status, the network
 * error).
 *
 * @example
 * ```ts
 * socket.on("connect_error", (err) => {
 *   if (err instanceof TransportError) console.log(err.message, err.description);
 * });
 * ```
 */
export class TransportError extends PushwireError {
  readonly type = "TransportError";
  readonly description: unknown;
  readonly context: unknown;

  constructor(reason: string, description?: unknown, context?: unknown) {
    super("PW_ERR_CLIENT_TRANSPORT_ERROR", reason);
    this.description = description;
    this.context = context;
  }
}

/** A sink that ignores everything: given to a transport the engine has let go. @internal */
export const NOOP_SINK: TransportSink = {
  onOpen() {},
  onPacket() {},
  onDrain() {},
  onError() {},
  onClose() {},
};

/** The URL of a transport's requests: `schema://host[:port]/path/?query`. @internal */
export function transportUri(
  opts: ResolvedEngineOptions,
  schema: string,
  query: Record<string, string>,
): string {
  const host = opts.hostname.indexOf(":") === -1 ? opts.hostname : "[" + opts.hostname + "]";
  const port = Number(opts.port);
  const showPort = opts.port && (opts.secure ? port !== 443 : port !== 80);
  let search = "";
  for (const key in query) {
    if (!Object.hasOwn(query, key)) continue;
    search +=
      (search ? "&" : "?") + encodeURIComponent(key) + "=" + encodeURIComponent(query[key]!);
  }
  return schema + "://" + host + (showPort ? ":" + opts.port : "") + opts.path + search;
}

/** A cache-busting value for the timestamp parameter. @internal */
export function timestamp(): string {
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
}
