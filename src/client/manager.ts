/**
 * The Manager: one Engine.IO connection to one server, shared by the sockets of every
 * namespace on it (spec: socket.io-protocol v5, "Multiplexing"), with reconnection.
 *
 * States: `closed` -> `opening` -> `open` -> `closed`, each `close` event with its
 * reason. After an unexpected close it reconnects with exponential backoff and jitter
 * until `reconnectionAttempts` is spent.
 *
 * @module
 */
import { PushwireError } from "../errors.js";
import { Decoder, encode, type Packet } from "../protocol/index.js";
import { Backoff } from "./backoff.js";
import { Emitter } from "./emitter.js";
import { Engine } from "./engine.js";
import { Socket, type SocketManager, type SocketOptions } from "./socket.js";
import type { ManagerOptions, ManagerReservedEvents } from "./manager-options.js";
import type { DisconnectDescription } from "./transport.js";
import type { DefaultEventsMap, EventsMap } from "./typed-events.js";

/** Reports an exception of a user listener without breaking the packet loop. */
function reportLater(err: unknown): void {
  setTimeout(() => {
    throw err;
  }, 0);
}

/**
 * A connection to one server, multiplexing namespaces.
 *
 * @example
 * ```ts
 * const manager = new Manager("https://example.com", { reconnectionDelayMax: 10000 });
 * const chat = manager.socket("/chat");
 * const admin = manager.socket("/admin", { auth: { token: "abc" } });
 * ```
 */
export class Manager<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
>
  extends Emitter<object, object, ManagerReservedEvents>
  implements SocketManager<ListenEvents, EmitEvents>
{
  /** The Engine.IO connection; a new one for each (re)connection. */
  engine!: Engine;
  readonly opts: ManagerOptions;
  /** @internal */
  _readyState: "opening" | "open" | "closed" = "closed";
  /** @internal */
  _reconnecting = false;
  /** @internal */
  readonly _autoConnect: boolean;
  /** @internal */
  readonly backoff: Backoff;

  readonly #uri: string | undefined;
  readonly #nsps = new Map<string, Socket<ListenEvents, EmitEvents>>();
  #decoder = new Decoder();
  /** Undo functions: engine listeners and timers of the current attempt. */
  #subs: Array<() => void> = [];
  #reconnection = true;
  #reconnectionAttempts = Infinity;
  #timeout: number | false = 20_000;
  #skipReconnect = false;
  /** Packets with Blob attachments are read before writing; later packets queue behind. */
  #blobQueue: Promise<void> | null = null;

  constructor(options?: ManagerOptions);
  constructor(uri?: string, options?: ManagerOptions);
  constructor(uri?: string | ManagerOptions, options?: ManagerOptions) {
    super();
    if (uri !== null && typeof uri === "object") {
      options = uri;
      uri = undefined;
    }
    const opts: ManagerOptions = { ...options };
    opts.path = opts.path || "/socket.io";
    this.opts = opts;
    this.#uri = uri;
    this.backoff = new Backoff({
      min: opts.reconnectionDelay || 1000,
      max: opts.reconnectionDelayMax || 5000,
      jitter: opts.randomizationFactor ?? 0.5,
    });
    this.reconnection(opts.reconnection !== false);
    this.reconnectionAttempts(opts.reconnectionAttempts || Infinity);
    this.timeout(opts.timeout == null ? 20_000 : opts.timeout);
    this._autoConnect = opts.autoConnect !== false;
    if (this._autoConnect) this.open();
  }

  /**
   * Gets or sets `reconnection`.
   *
   * @example
   * ```ts
   * manager.reconnection(false);
   * ```
   */
  reconnection(): boolean;
  reconnection(value: boolean): this;
  reconnection(value?: boolean): this | boolean {
    if (value === undefined) return this.#reconnection;
    this.#reconnection = value;
    if (!value) this.#skipReconnect = true;
    return this;
  }

  /**
   * Gets or sets `reconnectionAttempts`.
   *
   * @example
   * ```ts
   * manager.reconnectionAttempts(5);
   * ```
   */
  reconnectionAttempts(): number;
  reconnectionAttempts(value: number): this;
  reconnectionAttempts(value?: number): this | number {
    if (value === undefined) return this.#reconnectionAttempts;
    this.#reconnectionAttempts = value;
    return this;
  }

  /**
   * Gets or sets `reconnectionDelay`.
   *
   * @example
   * ```ts
   * manager.reconnectionDelay(500);
   * ```
   */
  reconnectionDelay(): number;
  reconnectionDelay(value: number): this;
  reconnectionDelay(value?: number): this | number {
    if (value === undefined) return this.backoff.min;
    this.backoff.setMin(value);
    return this;
  }

  /**
   * Gets or sets `randomizationFactor`.
   *
   * @example
   * ```ts
   * manager.randomizationFactor(0);
   * ```
   */
  randomizationFactor(): number;
  randomizationFactor(value: number): this;
  randomizationFactor(value?: number): this | number {
    if (value === undefined) return this.backoff.jitter;
    this.backoff.setJitter(value);
    return this;
  }

  /**
   * Gets or sets `reconnectionDelayMax`.
   *
   * @example
   * ```ts
   * manager.reconnectionDelayMax(10000);
   * ```
   */
  reconnectionDelayMax(): number;
  reconnectionDelayMax(value: number): this;
  reconnectionDelayMax(value?: number): this | number {
    if (value === undefined) return this.backoff.max;
    this.backoff.setMax(value);
    return this;
  }

  /**
   * Gets or sets the connection `timeout` (ms, or `false`).
   *
   * @example
   * ```ts
   * manager.timeout(5000);
   * ```
   */
  timeout(): number | false;
  timeout(value: number | false): this;
  timeout(value?: number | false): this | number | false {
    if (value === undefined) return this.#timeout;
    this.#timeout = value;
    return this;
  }

  /**
   * Opens the connection (sockets do it for you). The callback gets the error, if any;
   * without one, a failure starts reconnection.
   *
   * @example
   * ```ts
   * const manager = new Manager("https://example.com", { autoConnect: false });
   * manager.open((err) => console.log(err ? "failed" : "connected"));
   * ```
   */
  open(callback?: (err?: Error) => void): this {
    if (this._readyState !== "closed") return this;
    const engine = new Engine(this.#uri, this.opts);
    this.engine = engine;
    this._readyState = "opening";
    this.#skipReconnect = false;

    const onOpen = (): void => {
      this.#onopen();
      callback?.();
    };
    const onError = (err: Error): void => {
      this.#cleanup();
      this._readyState = "closed";
      this.#onerror(err);
      if (callback) callback(err);
      // Without a callback this is the first connection: reconnection takes over.
      else this.#maybeReconnectOnOpen();
    };
    engine.on("open", onOpen);
    engine.on("error", onError);
    this.#subs.push(
      () => engine.off("open", onOpen),
      () => engine.off("error", onError),
    );
    const timeout = this.#timeout;
    if (timeout !== false) {
      const timer = setTimeout(() => {
        engine.off("open", onOpen);
        onError(new PushwireError("PW_ERR_CLIENT_CONNECT_TIMEOUT"));
        engine.close();
      }, timeout);
      if (this.opts.autoUnref) (timer as { unref?: () => void }).unref?.();
      this.#subs.push(() => clearTimeout(timer));
    }
    return this;
  }

  /**
   * Alias of {@link Manager.open}.
   *
   * @example
   * ```ts
   * manager.connect((err) => err && console.log(err.message));
   * ```
   */
  connect(callback?: (err?: Error) => void): this {
    return this.open(callback);
  }

  #maybeReconnectOnOpen(): void {
    if (!this._reconnecting && this.#reconnection && this.backoff.attempts === 0) {
      this.#reconnect();
    }
  }

  #onopen(): void {
    this.#cleanup();
    this._readyState = "open";
    this.emitReserved("open");
    for (const socket of this.#nsps.values()) if (socket.active) socket._onopen();
    const engine = this.engine;
    engine.on("ping", this.#onping);
    engine.on("data", this.#ondata);
    engine.on("error", this.#onerror);
    engine.on("close", this.#onclose);
    this.#subs.push(() => {
      engine.off("ping", this.#onping);
      engine.off("data", this.#ondata);
      engine.off("error", this.#onerror);
      engine.off("close", this.#onclose);
    });
  }

  #onping = (): void => {
    this.emitReserved("ping");
  };

  #ondata = (data: unknown): void => {
    let packet: Packet | undefined;
    try {
      packet = this.#decoder.add(data as string | Uint8Array);
    } catch (err) {
      this.#onclose("parse error", err as Error);
      return;
    }
    if (packet === undefined) return;
    // Listener errors must not look like a parse error nor stop the packets after it.
    try {
      if (this.hasListeners("packet")) this.emitReserved("packet", packet);
      const socket = this.#nsps.get(packet.nsp);
      if (socket !== undefined && socket.active) socket._onpacket(packet);
    } catch (err) {
      reportLater(err);
    }
  };

  #onerror = (err: Error): void => {
    this.emitReserved("error", err);
    for (const socket of this.#nsps.values()) if (socket.active) socket._onerror(err);
  };

  /**
   * The socket of a namespace on this connection: the same one on each call.
   *
   * @example
   * ```ts
   * const admin = manager.socket("/admin", { auth: { token: "abc" } });
   * ```
   */
  socket(nsp: string, options?: SocketOptions): Socket<ListenEvents, EmitEvents> {
    let socket = this.#nsps.get(nsp);
    if (socket === undefined) {
      socket = new Socket<ListenEvents, EmitEvents>(this as never, nsp, options);
      this.#nsps.set(nsp, socket);
    } else if (this._autoConnect && !socket.active) socket.connect();
    return socket;
  }

  /** Whether a namespace has a socket on this manager. @internal */
  _hasNamespace(nsp: string): boolean {
    return this.#nsps.has(nsp);
  }

  /** A socket left: the connection closes when no socket is active any more. @internal */
  _destroy(): void {
    for (const socket of this.#nsps.values()) if (socket.active) return;
    this._close();
  }

  /** Encodes and writes one packet. @internal */
  _packet(packet: Packet, options?: { compress?: boolean }): void {
    const parts = encode(packet);
    const engine = this.engine;
    let blobs = false;
    for (let i = 1; i < parts.length; i++) if (!(parts[i] instanceof Uint8Array)) blobs = true;
    if (!blobs && this.#blobQueue === null) {
      for (let i = 0; i < parts.length; i++) engine.write(parts[i] as string | Uint8Array, options);
      return;
    }
    // Blobs (browsers) are read first; packets after them wait, to keep the order.
    const ready = Promise.all(
      parts.map((part) =>
        typeof part === "string" || part instanceof Uint8Array
          ? part
          : part.arrayBuffer().then((buffer) => new Uint8Array(buffer)),
      ),
    );
    const queue: Promise<void> = (this.#blobQueue ?? Promise.resolve())
      .then(() => ready)
      .then((bytes) => {
        for (const part of bytes) engine.write(part, options);
      })
      .catch(reportLater)
      .finally(() => {
        if (this.#blobQueue === queue) this.#blobQueue = null;
      });
    this.#blobQueue = queue;
  }

  #cleanup(): void {
    for (const sub of this.#subs) sub();
    this.#subs = [];
    this.#decoder.destroy();
  }

  /** Closes the connection for good (until the next `open`). @internal */
  _close(): void {
    this.#skipReconnect = true;
    this._reconnecting = false;
    this.#onclose("forced close");
  }

  /** Alias of `_close`, as socket.io-client has it. @internal */
  disconnect(): void {
    this._close();
  }

  #onclose = (reason: string, description?: DisconnectDescription): void => {
    this.#cleanup();
    (this.engine as Engine | undefined)?.close();
    this.backoff.reset();
    this._readyState = "closed";
    this.emitReserved("close", reason, description);
    for (const socket of this.#nsps.values())
      if (socket.active) socket._onclose(reason, description);
    if (this.#reconnection && !this.#skipReconnect) this.#reconnect();
  };

  #reconnect(): void {
    if (this._reconnecting || this.#skipReconnect) return;
    if (this.backoff.attempts >= this.#reconnectionAttempts) {
      this.backoff.reset();
      this.emitReserved("reconnect_failed");
      this._reconnecting = false;
      return;
    }
    const delay = this.backoff.duration();
    this._reconnecting = true;
    const timer = setTimeout(() => {
      if (this.#skipReconnect) return;
      this.emitReserved("reconnect_attempt", this.backoff.attempts);
      // A listener may have closed the manager.
      if (this.#skipReconnect) return;
      this.open((err) => {
        if (err) {
          this._reconnecting = false;
          this.#reconnect();
          this.emitReserved("reconnect_error", err);
        } else {
          const attempt = this.backoff.attempts;
          this._reconnecting = false;
          this.backoff.reset();
          this.emitReserved("reconnect", attempt);
        }
      });
    }, delay);
    if (this.opts.autoUnref) (timer as { unref?: () => void }).unref?.();
    this.#subs.push(() => clearTimeout(timer));
  }
}
