/**
 * The Engine.IO v4 client (spec: engine.io-protocol v4): the handshake, the heartbeat
 * and dead-server detection, the write buffer, and the upgrade from polling to
 * WebSocket. It drives transports through the {@link Transport} seam and never touches
 * the network itself. `manager.engine` is one of these, with the events socket.io users
 * listen to on it (`upgrade`, `packet`, `close`, ...).
 *
 * States: `opening` -> `open` -> (`closing` ->) `closed`, each `close` event with a
 * reason: `transport close`, `transport error`, `ping timeout`, `parse error`,
 * `forced close`.
 *
 * @module
 */
import type { EnginePacket } from "../engine/codec.js";
import { PushwireError } from "../errors.js";
import { CookieJar } from "./cookie-jar.js";
import { Emitter } from "./emitter.js";
import { defaultBinaryType, isNode, toBinaryType, type BinaryType } from "./env.js";
import { Fetch, XHR } from "./polling.js";
import {
  NOOP_SINK,
  type DisconnectDescription,
  type EngineOptions,
  type OutgoingPacket,
  type ResolvedEngineOptions,
  type Transport,
  type TransportConstructor,
  type TransportSink,
} from "./transport.js";
import { url } from "./url.js";
import { WebSocket } from "./websocket.js";

/** The handshake the server sends in its `open` packet (spec: "Handshake"). */
export interface HandshakeData {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

/** Why the engine closed. */
export type EngineCloseReason =
  "transport close" | "transport error" | "ping timeout" | "parse error" | "forced close";

/** Events of {@link Engine}. */
export interface EngineReservedEvents {
  open: () => void;
  handshake: (data: HandshakeData) => void;
  packet: (packet: EnginePacket) => void;
  packetCreate: (packet: EnginePacket) => void;
  data: (data: unknown) => void;
  message: (data: unknown) => void;
  ping: () => void;
  pong: () => void;
  heartbeat: () => void;
  drain: () => void;
  flush: () => void;
  upgrading: (transport: Transport) => void;
  upgrade: (transport: Transport) => void;
  upgradeError: (err: Error) => void;
  error: (err: Error) => void;
  close: (reason: EngineCloseReason, description?: DisconnectDescription) => void;
}

/** Transports known by name. XHR is the browser's default for polling, as in engine.io-client. */
const BUILTIN: Record<string, TransportConstructor> = {
  polling: typeof XMLHttpRequest === "function" ? XHR : Fetch,
  websocket: WebSocket,
};

/** Engines to close when the network goes away (browsers only). */
const offlineListeners: Array<() => void> = [];
const withWindowEvents =
  typeof addEventListener === "function" && typeof removeEventListener === "function";
if (withWindowEvents) {
  // Registered once at load: a service worker may add "offline" listeners only then.
  addEventListener("offline", () => offlineListeners.slice().forEach((close) => close()), false);
}

function isHandshake(data: unknown): data is HandshakeData {
  const h = data as HandshakeData;
  return (
    typeof h === "object" &&
    h !== null &&
    typeof h.sid === "string" &&
    Array.isArray(h.upgrades) &&
    typeof h.pingInterval === "number" &&
    typeof h.pingTimeout === "number"
  );
}

/** UTF-8 length of a string without encoding it, for `maxPayload`. */
function utf8Length(str: string): number {
  let length = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    length += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0xd800 || c >= 0xe000 ? 3 : (i++, 4);
  }
  return length;
}

/**
 * One Engine.IO connection.
 *
 * @example
 * ```ts
 * const socket = io("https://example.com");
 * socket.io.engine.on("upgrade", (transport) => console.log("now on", transport.name));
 * ```
 */
export class Engine extends Emitter<object, object, EngineReservedEvents> {
  /** Whether the last WebSocket of this page worked (`rememberUpgrade`). */
  static priorWebsocketSuccess = false;
  /** The Engine.IO protocol revision. */
  static readonly protocol = 4;

  /** The session id, once the handshake gave one. */
  id: string | null = null;
  /** The transport in use. */
  transport!: Transport;
  readyState: "opening" | "open" | "closing" | "closed" = "opening";
  /** An upgrade is switching transports: writes wait. */
  upgrading = false;
  /** How received binary reaches listeners. */
  binaryType: BinaryType = defaultBinaryType;
  /** Packets not yet handed to the transport (and those in flight, until `drain`). */
  writeBuffer: OutgoingPacket[] = [];
  readonly opts: ResolvedEngineOptions;
  /** Transport names to use, in order. */
  readonly transports: string[] = [];

  readonly #classes: Record<string, TransportConstructor> = Object.create(null) as Record<
    string,
    TransportConstructor
  >;
  readonly #baseQuery: Record<string, string>;
  readonly #cookieJar: CookieJar | undefined;
  /** The current transport's query: the handshake adds `sid` to it. */
  #query: Record<string, string> = {};
  #prevBufferLen = 0;
  #upgrades: string[] = [];
  #pingInterval = -1;
  #pingTimeout = -1;
  #maxPayload = -1;
  #pingTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the server is declared dead; 0 once it has been. */
  #pingDeadline = Infinity;
  #unloadListener: (() => void) | undefined;
  #offlineListener: (() => void) | undefined;

  /** Where the current transport reports. Built once per engine, not per packet. */
  readonly #sink: TransportSink = {
    onOpen: () => {},
    onPacket: (packet) => this.#onPacket(packet),
    onDrain: () => this.#onDrain(),
    onError: (err) => this.#onError(err),
    onClose: (description) => this.#onClose("transport close", description),
  };

  constructor(uri?: string | EngineOptions | null, options: EngineOptions = {}) {
    super();
    let opts: EngineOptions = options;
    if (uri !== null && typeof uri === "object") {
      opts = uri;
      uri = undefined;
    }
    opts = { ...opts };
    if (uri) {
      const parsed = url(uri);
      opts.hostname = parsed.host;
      opts.secure = parsed.protocol === "https" || parsed.protocol === "wss";
      opts.port = parsed.port;
      if (parsed.query) opts.query = parsed.query;
    } else if (opts.host && !opts.hostname) {
      opts.hostname = url(opts.host).host;
    }
    const loc = typeof location === "undefined" ? undefined : location;
    const secure = opts.secure ?? loc?.protocol === "https:";
    const port = opts.port || (opts.hostname ? undefined : loc?.port) || (secure ? "443" : "80");
    const path = (opts.path ?? "/engine.io").replace(/\/$/, "");
    this.opts = {
      upgrade: true,
      timestampParam: "t",
      perMessageDeflate: { threshold: 1024 },
      ...opts,
      hostname: opts.hostname || loc?.hostname || "localhost",
      port: String(port),
      secure,
      path: path + (opts.addTrailingSlash === false ? "" : "/"),
    };

    for (const t of opts.transports ?? ["polling", "websocket"]) {
      const name = typeof t === "string" ? t : t.prototype.name;
      const Class = typeof t === "string" ? BUILTIN[t] : t;
      // Names we do not implement (webtransport) are skipped, not fatal.
      if (Class === undefined) continue;
      this.transports.push(name);
      this.#classes[name] = Class;
    }

    const query = opts.query;
    this.#baseQuery =
      typeof query === "string"
        ? Object.fromEntries(new URLSearchParams(query))
        : { ...(query ?? {}) };
    this.#cookieJar = opts.withCredentials && isNode ? new CookieJar() : undefined;

    if (withWindowEvents) {
      if (opts.closeOnBeforeunload) {
        // Closing silently on unload gives every browser the same behaviour: no
        // `disconnect` event while the page goes away (Firefox closes, Chrome does not).
        this.#unloadListener = () => {
          this.transport.sink = NOOP_SINK;
          this.transport.close();
        };
        addEventListener("beforeunload", this.#unloadListener, false);
      }
      if (this.opts.hostname !== "localhost") {
        this.#offlineListener = () =>
          this.#onClose("transport close", { description: "network connection lost" });
        offlineListeners.push(this.#offlineListener);
      }
    }
    this.#open();
  }

  #open(): void {
    if (this.transports.length === 0) {
      // On the next turn, so that the caller can listen first.
      setTimeout(
        () => this.emitReserved("error", new PushwireError("PW_ERR_CLIENT_NO_TRANSPORT")),
        0,
      );
      return;
    }
    const name =
      this.opts.rememberUpgrade &&
      Engine.priorWebsocketSuccess &&
      this.transports.includes("websocket")
        ? "websocket"
        : this.transports[0]!;
    this.readyState = "opening";
    const query = this.#transportQuery(name);
    const transport = this.#createTransport(name, query, this.#sink);
    this.#setTransport(transport, query);
    transport.open();
  }

  #transportQuery(name: string): Record<string, string> {
    const query: Record<string, string> = { ...this.#baseQuery, EIO: "4", transport: name };
    if (this.id) query.sid = this.id;
    return query;
  }

  #createTransport(name: string, query: Record<string, string>, sink: TransportSink): Transport {
    const opts = { ...this.opts, ...this.opts.transportOptions?.[name] } as ResolvedEngineOptions;
    return new this.#classes[name]!({ opts, query, cookieJar: this.#cookieJar, sink });
  }

  #setTransport(transport: Transport, query: Record<string, string>): void {
    if (this.transport) this.transport.sink = NOOP_SINK;
    transport.sink = this.#sink;
    this.transport = transport;
    this.#query = query;
  }

  #onPacket(packet: EnginePacket): void {
    if (this.readyState === "closed") return;
    if (this.hasListeners("packet")) this.emitReserved("packet", packet);
    if (this.hasListeners("heartbeat")) this.emitReserved("heartbeat");
    switch (packet.type) {
      case "open":
        if (this.readyState === "opening") this.#onHandshake(packet.data);
        break;
      case "ping":
        this.#sendPacket("pong");
        this.emitReserved("ping");
        this.emitReserved("pong");
        this.#resetPingTimeout();
        break;
      case "message": {
        const data = packet.data!;
        const value = typeof data === "string" ? data : toBinaryType(data, this.binaryType);
        this.emitReserved("data", value);
        if (this.hasListeners("message")) this.emitReserved("message", value);
        break;
      }
      default:
      // pong (outside a probe), upgrade, noop: nothing to do (spec: "Packet types").
    }
  }

  #onHandshake(raw: EnginePacket["data"]): void {
    let data: unknown;
    try {
      data = JSON.parse(raw as string);
    } catch {
      // Reported below as an invalid handshake.
    }
    if (!isHandshake(data)) {
      this.#onError(new PushwireError("PW_ERR_ENGINE_INVALID_PACKET", "invalid handshake", raw));
      return;
    }
    this.emitReserved("handshake", data);
    this.id = data.sid;
    this.#query.sid = data.sid;
    this.#upgrades = data.upgrades.filter((name) => this.transports.includes(name));
    this.#pingInterval = data.pingInterval;
    this.#pingTimeout = data.pingTimeout;
    this.#maxPayload = data.maxPayload;
    this.readyState = "open";
    Engine.priorWebsocketSuccess = this.transport.name === "websocket";
    this.emitReserved("open");
    this.flush();
    if (this.readyState === "open" && this.opts.upgrade) {
      for (const name of this.#upgrades) this.#probe(name);
    }
    // The open listeners may have closed us.
    if ((this.readyState as string) !== "closed") this.#resetPingTimeout();
  }

  /**
   * Dead-server detection (spec: "Heartbeat"): the server pings every `pingInterval`;
   * with no ping for `pingInterval + pingTimeout`, it is gone.
   */
  #resetPingTimeout(): void {
    clearTimeout(this.#pingTimer);
    const delay = this.#pingInterval + this.#pingTimeout;
    this.#pingDeadline = Date.now() + delay;
    this.#pingTimer = setTimeout(this.#onPingTimeout, delay);
    if (this.opts.autoUnref) (this.#pingTimer as { unref?: () => void }).unref?.();
  }

  #onPingTimeout = (): void => {
    this.#onClose("ping timeout");
  };

  /**
   * Whether the server should have pinged by now. Timers do not run while a laptop
   * sleeps or a tab is frozen; the socket asks this before sending, so that an emit
   * after a wake-up is buffered instead of written to a dead connection.
   *
   * @internal
   */
  _hasPingExpired(): boolean {
    if (!this.#pingDeadline) return true;
    const expired = Date.now() > this.#pingDeadline;
    if (expired) {
      this.#pingDeadline = 0;
      queueMicrotask(this.#onPingTimeout);
    }
    return expired;
  }

  /** Tries a better transport and switches to it when the server answers the probe (spec: "Upgrade"). */
  #probe(name: string): void {
    let done = false;
    Engine.priorWebsocketSuccess = false;
    const query = this.#transportQuery(name);
    const fail = (reason: string, cause?: unknown): void => {
      if (done) return;
      done = true;
      this.off("close", onEngineClose);
      transport.sink = NOOP_SINK;
      transport.close();
      const message = reason ? "probe error: " + reason : "probe error";
      const err = new PushwireError("PW_ERR_CLIENT_PROBE_FAILED", message, cause);
      this.emitReserved("upgradeError", Object.assign(err, { transport: name }));
    };
    const onEngineClose = (): void => fail("socket closed");
    const transport = this.#createTransport(name, query, {
      onOpen: () => {
        if (!done) transport.send([{ type: "ping", data: "probe" }]);
      },
      onPacket: (packet) => {
        if (done) return;
        if (packet.type !== "pong" || packet.data !== "probe") return fail("");
        this.upgrading = true;
        this.emitReserved("upgrading", transport);
        Engine.priorWebsocketSuccess = transport.name === "websocket";
        this.transport.pause(() => {
          if (done || this.readyState === "closed") return;
          done = true;
          this.off("close", onEngineClose);
          this.#setTransport(transport, query);
          transport.send([{ type: "upgrade" }]);
          this.emitReserved("upgrade", transport);
          this.upgrading = false;
          this.flush();
        });
      },
      onDrain: () => {},
      onError: (err) => fail(err.message, err),
      onClose: () => fail("transport closed"),
    });
    this.once("close", onEngineClose);
    transport.open();
  }

  #onDrain(): void {
    this.writeBuffer.splice(0, this.#prevBufferLen);
    // Reset, so that a drain after the upgrade packet removes nothing of ours.
    this.#prevBufferLen = 0;
    if (this.writeBuffer.length === 0) this.emitReserved("drain");
    else this.flush();
  }

  /**
   * Hands the buffered packets to the transport, when it can take them.
   *
   * @internal
   */
  flush(): void {
    if (
      this.readyState !== "closed" &&
      this.transport.writable &&
      !this.upgrading &&
      this.writeBuffer.length > 0
    ) {
      const packets = this.#writablePackets();
      // Set before send: a transport may drain synchronously (an in-process loopback).
      this.#prevBufferLen = packets.length;
      this.transport.send(packets);
      if (this.hasListeners("flush")) this.emitReserved("flush");
    }
  }

  /** A polling payload must stay within the server's `maxPayload` (spec: "Handshake"). */
  #writablePackets(): OutgoingPacket[] {
    const buffer = this.writeBuffer;
    if (!(this.#maxPayload > 0) || this.transport.name !== "polling" || buffer.length < 2) {
      return buffer;
    }
    let size = 1;
    for (let i = 0; i < buffer.length; i++) {
      const data = buffer[i]!.data;
      if (data !== undefined) {
        // Binary goes as base64: 4 chars per 3 bytes.
        size += typeof data === "string" ? utf8Length(data) : Math.ceil(data.byteLength / 3) * 4;
      }
      if (i > 0 && size > this.#maxPayload) return buffer.slice(0, i);
      size += 2; // separator and type
    }
    return buffer;
  }

  /**
   * Sends one message packet.
   *
   * @example
   * ```ts
   * engine.write("4hello"); // a raw Socket.IO EVENT, for the curious
   * ```
   */
  write(data: string | Uint8Array, options?: { compress?: boolean }, callback?: () => void): this {
    this.#sendPacket("message", data, options, callback);
    return this;
  }

  /**
   * Alias of {@link Engine.write}.
   *
   * @example
   * ```ts
   * engine.send("4hello");
   * ```
   */
  send(data: string | Uint8Array, options?: { compress?: boolean }, callback?: () => void): this {
    return this.write(data, options, callback);
  }

  #sendPacket(
    type: EnginePacket["type"],
    data?: string | Uint8Array,
    options?: { compress?: boolean },
    callback?: () => void,
  ): void {
    if (this.readyState === "closing" || this.readyState === "closed") return;
    const packet: OutgoingPacket = { type, data };
    if (options !== undefined) packet.options = options;
    if (this.hasListeners("packetCreate")) this.emitReserved("packetCreate", packet);
    this.writeBuffer.push(packet);
    if (callback) this.once("flush", callback);
    this.flush();
  }

  /**
   * Closes the connection (reason `forced close`), after the buffered packets and any
   * upgrade in progress.
   *
   * @example
   * ```ts
   * socket.io.engine.close();
   * ```
   */
  close(): this {
    if (this.readyState !== "opening" && this.readyState !== "open") return this;
    this.readyState = "closing";
    const close = (): void => {
      this.#onClose("forced close");
    };
    const afterUpgrade = (): void => {
      this.off("upgrade", afterUpgrade);
      this.off("upgradeError", afterUpgrade);
      close();
    };
    // A paused transport cannot carry the close packet: wait for the upgrade to end.
    const waitForUpgrade = (): void => {
      this.once("upgrade", afterUpgrade);
      this.once("upgradeError", afterUpgrade);
    };
    if (this.writeBuffer.length > 0) {
      this.once("drain", () => (this.upgrading ? waitForUpgrade() : close()));
    } else if (this.upgrading) waitForUpgrade();
    else close();
    return this;
  }

  #onError(err: PushwireError): void {
    Engine.priorWebsocketSuccess = false;
    if (this.opts.tryAllTransports && this.transports.length > 1 && this.readyState === "opening") {
      this.transport.sink = NOOP_SINK;
      this.transport.close();
      this.transports.shift();
      this.#open();
      return;
    }
    this.emitReserved("error", err);
    const parse = err.code === "PW_ERR_ENGINE_INVALID_PACKET";
    this.#onClose(parse ? "parse error" : "transport error", err);
  }

  #onClose(reason: EngineCloseReason, description?: DisconnectDescription): void {
    if (this.readyState === "closed") return;
    clearTimeout(this.#pingTimer);
    const transport = this.transport;
    transport.sink = NOOP_SINK;
    transport.close();
    if (this.#unloadListener) removeEventListener("beforeunload", this.#unloadListener, false);
    if (this.#offlineListener) {
      const i = offlineListeners.indexOf(this.#offlineListener);
      if (i !== -1) offlineListeners.splice(i, 1);
    }
    this.readyState = "closed";
    this.id = null;
    this.emitReserved("close", reason, description);
    // Cleared after the event, so that listeners can still read what was not sent.
    this.writeBuffer = [];
    this.#prevBufferLen = 0;
  }
}
