/**
 * A client socket: one namespace on a {@link Manager}'s connection (spec:
 * socket.io-protocol v5, "Connection to a namespace", "Sending and receiving data",
 * "Acknowledgement").
 *
 * States: disconnected -> (CONNECT sent) -> connected -> disconnected, each
 * `disconnect` with a reason: `io server disconnect`, `io client disconnect`,
 * `ping timeout`, `transport close`, `transport error`, `parse error`.
 *
 * @module
 */
import { PushwireError } from "../errors.js";
import { PacketType, RESERVED_EVENTS, type Packet } from "../protocol/index.js";
import { CatchAllEmitter } from "./catch-all.js";
import type { Emitter } from "./emitter.js";
import type { Engine } from "./engine.js";
import type { ManagerOptions, ManagerReservedEvents } from "./manager-options.js";
import type { DisconnectDescription } from "./transport.js";
import type {
  AllButLast,
  DecorateAcknowledgements,
  DefaultEventsMap,
  EventNames,
  EventParams,
  EventsMap,
  FirstArg,
  Last,
} from "./typed-events.js";

/** Options of a {@link Socket} (and of `io()`, with the manager's). */
export interface SocketOptions {
  /** Sent in the CONNECT packet: an object, or a function that hands one to its callback. */
  auth?: Record<string, unknown> | ((callback: (data: object) => void) => void);
  /**
   * Retry each emit this many times until it is acknowledged (with `ackTimeout`):
   * at-least-once delivery, in order.
   */
  retries?: number;
  /** Default timeout of acknowledgements, in ms. */
  ackTimeout?: number;
}

/** An error of `connect_error`: `data` holds what the server's middleware attached. */
export interface ExtendedError extends Error {
  data?: unknown;
}

/** Lifecycle events of a {@link Socket}. */
export interface SocketReservedEvents {
  connect: () => void;
  connect_error: (err: ExtendedError) => void;
  disconnect: (reason: Socket.DisconnectReason, description?: DisconnectDescription) => void;
}

/**
 * The manager as its sockets and their users see it (`socket.io`): the public surface
 * of `Manager`, which implements it. Declared here so that socket.ts and manager.ts
 * do not import each other.
 */
export interface SocketManager<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
> extends Emitter<object, object, ManagerReservedEvents> {
  /** The Engine.IO connection; a new one for each (re)connection (none before the first). */
  engine: Engine;
  readonly opts: ManagerOptions;
  /** @internal */
  readonly _autoConnect: boolean;
  /** @internal */
  _reconnecting: boolean;
  /** @internal */
  _readyState: "opening" | "open" | "closed";
  open(callback?: (err?: Error) => void): this;
  connect(callback?: (err?: Error) => void): this;
  socket(nsp: string, options?: SocketOptions): Socket<ListenEvents, EmitEvents>;
  reconnection(): boolean;
  reconnection(value: boolean): this;
  reconnectionAttempts(): number;
  reconnectionAttempts(value: number): this;
  reconnectionDelay(): number;
  reconnectionDelay(value: number): this;
  randomizationFactor(): number;
  randomizationFactor(value: number): this;
  reconnectionDelayMax(): number;
  reconnectionDelayMax(value: number): this;
  timeout(): number | false;
  timeout(value: number | false): this;
  /** @internal */
  _packet(packet: Packet, options?: { compress?: boolean }): void;
  /** @internal */
  _destroy(): void;
}

/** A packet on its way out, with the `compress` flag it was emitted with. */
type OutPacket = Packet & { options?: { compress?: boolean } };

/** An acknowledgement callback; `withError` ones get `null` or an error first. */
type Ack = ((...args: unknown[]) => void) & { withError?: boolean };

interface Flags {
  compress?: boolean;
  volatile?: boolean;
  timeout?: number;
  fromQueue?: boolean;
}

/** An emit of the `retries` queue. */
interface Queued {
  id: number;
  tryCount: number;
  pending: boolean;
  args: unknown[];
  flags: Flags;
}

/**
 * A socket on one namespace.
 *
 * @example
 * ```ts
 * const socket = io("ws://127.0.0.1:5000/test_conn");
 * socket.on("server_response", (msg) => console.log(msg.data));
 * socket.emit("message", { data: "hello" });
 * ```
 */
export class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
> extends CatchAllEmitter<ListenEvents, EmitEvents, SocketReservedEvents> {
  /** The manager (the connection) this socket lives on. */
  readonly io: SocketManager<ListenEvents, EmitEvents>;
  /** The namespace. */
  readonly nsp: string;
  /** The session id the server gave, while connected. */
  id: string | undefined;
  /** Whether the namespace is connected. */
  connected = false;
  /** Whether the last connection restored the previous session (connection state recovery). */
  recovered = false;
  /** The CONNECT payload. */
  auth: SocketOptions["auth"];
  /** Events received before `connect` was emitted. */
  receiveBuffer: Array<readonly unknown[]> = [];
  /** Events emitted while disconnected, sent in order on connection. */
  sendBuffer: OutPacket[] = [];

  readonly #opts: SocketOptions;
  #active = false;
  /** CONNECT was sent on the current connection (answered or not). */
  #connectSent = false;
  #ids = 0;
  #acks: Map<number, Ack> | undefined;
  #flags: Flags = {};
  #queue: Queued[] = [];
  #queueSeq = 0;
  /** Connection state recovery: the server's private session id and our last offset. */
  #pid: string | undefined;
  #lastOffset: string | undefined;

  /** @internal Use `io()` or `manager.socket()`. */
  constructor(io: SocketManager<ListenEvents, EmitEvents>, nsp: string, options?: SocketOptions) {
    super();
    this.io = io;
    this.nsp = nsp;
    if (options?.auth) this.auth = options.auth;
    this.#opts = { ...options };
    if (io._autoConnect) this.open();
  }

  /** Whether the namespace is not connected. */
  get disconnected(): boolean {
    return !this.connected;
  }

  /**
   * Whether the socket is trying to be connected: it reconnects on its own until
   * `disconnect()` or a refusal from the server.
   *
   * @example
   * ```ts
   * socket.on("disconnect", () => {
   *   if (!socket.active) socket.connect(); // refused or closed by the server
   * });
   * ```
   */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Connects (again). Not needed unless `autoConnect` is false or after `disconnect()`.
   *
   * @example
   * ```ts
   * const socket = io({ autoConnect: false });
   * socket.connect();
   * ```
   */
  connect(): this {
    if (this.connected) return this;
    this.#active = true;
    if (!this.io._reconnecting) this.io.open();
    if (this.io._readyState === "open") this._onopen();
    return this;
  }

  /**
   * Alias of {@link Socket.connect}.
   *
   * @example
   * ```ts
   * socket.open();
   * ```
   */
  open(): this {
    return this.connect();
  }

  /**
   * Emits a `message` event.
   *
   * @example
   * ```ts
   * socket.send("hello");
   * ```
   */
  send(...args: unknown[]): this {
    return (this.emit as (ev: string, ...rest: unknown[]) => this)("message", ...args);
  }

  /**
   * Sends an event to the server. A function as last argument is the acknowledgement
   * callback. While disconnected, the event waits in `sendBuffer` (unless `volatile`).
   *
   * @throws PushwireError `PW_ERR_CLIENT_RESERVED_EVENT` for a lifecycle event name.
   * @example
   * ```ts
   * socket.emit("hello", "world", (answer) => console.log(answer));
   * ```
   */
  override emit<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): this {
    const name = ev as string;
    if (RESERVED_EVENTS.has(name)) {
      throw new PushwireError(
        "PW_ERR_CLIENT_RESERVED_EVENT",
        `"${String(name)}" is a reserved event name`,
      );
    }
    const data: unknown[] = args;
    data.unshift(name);
    const flags = this.#flags;
    if (this.#opts.retries && !flags.fromQueue && !flags.volatile) {
      this.#addToQueue(data);
      return this;
    }
    const packet: OutPacket = { type: PacketType.EVENT, nsp: this.nsp, data };
    if (flags.compress === false) packet.options = { compress: false };
    if (typeof data[data.length - 1] === "function") {
      const id = this.#ids++;
      this.#registerAck(id, data.pop() as Ack);
      packet.id = id;
    }
    const engine = this.io.engine as Engine | undefined;
    const writable = engine?.transport?.writable === true;
    const connected = this.connected && !engine?._hasPingExpired();
    if (flags.volatile && !writable) {
      // Dropped: volatile events are not buffered.
    } else if (connected) {
      this._notifyAnyOutgoing(packet.data as unknown[]);
      this.io._packet(packet, packet.options);
    } else this.sendBuffer.push(packet);
    this.#flags = {};
    return this;
  }

  #registerAck(id: number, ack: Ack): void {
    const acks = (this.#acks ??= new Map());
    const timeout = this.#flags.timeout ?? this.#opts.ackTimeout;
    if (timeout === undefined) {
      acks.set(id, ack);
      return;
    }
    const timer = setTimeout(() => {
      acks.delete(id);
      const buffer = this.sendBuffer;
      for (let i = 0; i < buffer.length; i++) if (buffer[i]!.id === id) buffer.splice(i, 1);
      ack.call(this, new PushwireError("PW_ERR_ACK_TIMEOUT"));
    }, timeout);
    const wrapped: Ack = (...args: unknown[]) => {
      clearTimeout(timer);
      ack.apply(this, args);
    };
    wrapped.withError = true;
    acks.set(id, wrapped);
  }

  /**
   * Emits and resolves with the acknowledgement; rejects on timeout (with
   * `timeout(ms)` or `ackTimeout`) or when the socket disconnects first.
   *
   * @example
   * ```ts
   * const answer = await socket.timeout(5000).emitWithAck("hello", "world");
   * ```
   */
  emitWithAck<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstArg<Last<EventParams<EmitEvents, Ev>>>> {
    return new Promise((resolve, reject) => {
      const ack: Ack = (err: unknown, value?: unknown) =>
        err ? reject(err as Error) : resolve(value as never);
      ack.withError = true;
      (this.emit as (ev: Ev, ...rest: unknown[]) => this)(ev, ...args, ack);
    });
  }

  /** `retries`: one emit at a time, re-sent until acknowledged or out of tries. */
  #addToQueue(args: unknown[]): void {
    const ack = typeof args[args.length - 1] === "function" ? (args.pop() as Ack) : undefined;
    const queued: Queued = {
      id: this.#queueSeq++,
      tryCount: 0,
      pending: false,
      args,
      flags: { ...this.#flags, fromQueue: true },
    };
    const onAck: Ack = (err: unknown, ...response: unknown[]) => {
      // A late answer to an earlier try of a packet already settled.
      if (queued !== this.#queue[0]) return;
      if (err !== null) {
        if (queued.tryCount > this.#opts.retries!) {
          this.#queue.shift();
          ack?.(err);
        }
      } else {
        this.#queue.shift();
        ack?.(null, ...response);
      }
      queued.pending = false;
      this.#drainQueue();
    };
    onAck.withError = true;
    args.push(onAck);
    this.#flags = {};
    this.#queue.push(queued);
    this.#drainQueue();
  }

  #drainQueue(force = false): void {
    if (!this.connected || this.#queue.length === 0) return;
    const queued = this.#queue[0]!;
    if (queued.pending && !force) return;
    queued.pending = true;
    queued.tryCount++;
    this.#flags = queued.flags;
    (this.emit as (...args: unknown[]) => this)(...queued.args);
  }

  /** The manager's connection is open: ask for the namespace. @internal */
  _onopen(): void {
    // One CONNECT per connection: a second one for the same namespace is a protocol
    // error the server may close the connection for (RELIABILITY A5-7).
    if (this.#connectSent) return;
    this.#connectSent = true;
    const auth = this.auth;
    if (typeof auth === "function") auth((data) => this.#sendConnect(data));
    else this.#sendConnect(auth);
  }

  #sendConnect(data: object | undefined): void {
    // Connection state recovery: the session to restore and the last offset seen.
    const payload =
      this.#pid === undefined ? data : { pid: this.#pid, offset: this.#lastOffset, ...data };
    this.io._packet({ type: PacketType.CONNECT, nsp: this.nsp, data: payload });
  }

  /** @internal */
  _onerror(err: Error): void {
    if (!this.connected) this.emitReserved("connect_error", err);
  }

  /** @internal */
  _onclose(reason: string, description?: DisconnectDescription): void {
    this.#connectSent = false;
    this.connected = false;
    this.id = undefined;
    this.emitReserved("disconnect", reason as Socket.DisconnectReason, description);
    this.#clearAcks();
  }

  /** Fails the pending acknowledgements that expect an error (emitWithAck, timeouts). */
  #clearAcks(): void {
    const acks = this.#acks;
    if (acks === undefined) return;
    for (const [id, ack] of acks) {
      // Still buffered: it will be sent on reconnection, its ack may still come.
      if (this.sendBuffer.some((packet) => packet.id === id)) continue;
      acks.delete(id);
      if (ack.withError) ack.call(this, new PushwireError("PW_ERR_ACK_DISCONNECTED"));
    }
  }

  /** A packet for this namespace. @internal */
  _onpacket(packet: Packet): void {
    switch (packet.type) {
      case PacketType.CONNECT: {
        const data = packet.data as { sid?: unknown; pid?: unknown } | undefined;
        if (typeof data?.sid === "string") {
          this.#onconnect(data.sid, typeof data.pid === "string" ? data.pid : undefined);
        } else {
          this.emitReserved(
            "connect_error",
            new PushwireError("PW_ERR_CLIENT_INCOMPATIBLE_SERVER"),
          );
        }
        break;
      }
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT: {
        const args = packet.data as unknown[];
        if (packet.id !== undefined) args.push(this.#ack(packet.id));
        if (this.connected) this.#emitEvent(args);
        else this.receiveBuffer.push(Object.freeze(args));
        break;
      }
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        this.#onack(packet);
        break;
      case PacketType.DISCONNECT:
        this.#destroy();
        this._onclose("io server disconnect");
        break;
      case PacketType.CONNECT_ERROR: {
        this.#destroy();
        const data = packet.data as string | { message?: unknown; data?: unknown };
        const message = typeof data === "string" ? data : String(data.message);
        const data2 = typeof data === "string" ? undefined : data.data;
        this.emitReserved(
          "connect_error",
          new PushwireError("PW_ERR_CLIENT_CONNECT_REFUSED", message, data2),
        );
        break;
      }
    }
  }

  #emitEvent(args: readonly unknown[]): void {
    this._notifyAny(args);
    const name = args[0];
    this._emitLocal(typeof name === "number" ? String(name) : (name as string), args.slice(1));
    // Connection state recovery (socket.io 4.6+): the server appends the offset as a
    // trailing string argument of each recoverable event.
    const last = args[args.length - 1];
    if (this.#pid !== undefined && typeof last === "string") this.#lastOffset = last;
  }

  /** The callback handed to a listener when the server wants an acknowledgement. */
  #ack(id: number): Ack {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent) return;
      sent = true;
      this.io._packet({ type: PacketType.ACK, nsp: this.nsp, id, data: args });
    };
  }

  #onack(packet: Packet): void {
    const ack = this.#acks?.get(packet.id!);
    if (ack === undefined) return;
    this.#acks!.delete(packet.id!);
    const args = packet.data as unknown[];
    if (ack.withError) args.unshift(null);
    ack.apply(this, args);
  }

  #onconnect(id: string, pid: string | undefined): void {
    this.id = id;
    this.recovered = pid !== undefined && this.#pid === pid;
    this.#pid = pid;
    this.connected = true;
    const received = this.receiveBuffer;
    this.receiveBuffer = [];
    for (const args of received) this.#emitEvent(args);
    const buffered = this.sendBuffer;
    this.sendBuffer = [];
    for (const packet of buffered) {
      this._notifyAnyOutgoing(packet.data as unknown[]);
      this.io._packet(packet, packet.options);
    }
    this.#drainQueue(true);
    this.emitReserved("connect");
  }

  /** Stops hearing the manager; the manager closes when no socket is left. */
  #destroy(): void {
    this.#connectSent = false;
    this.#active = false;
    this.io._destroy();
  }

  /**
   * Disconnects the namespace by hand; no reconnection follows. The connection closes
   * when no other namespace uses it.
   *
   * @example
   * ```ts
   * socket.disconnect();
   * ```
   */
  disconnect(): this {
    const connected = this.connected;
    if (connected) this.io._packet({ type: PacketType.DISCONNECT, nsp: this.nsp });
    this.#destroy();
    if (connected) this._onclose("io client disconnect");
    return this;
  }

  /**
   * Alias of {@link Socket.disconnect}.
   *
   * @example
   * ```ts
   * socket.close();
   * ```
   */
  close(): this {
    return this.disconnect();
  }

  /**
   * Sets whether the next emit may be compressed (WebSocket permessage-deflate).
   *
   * @example
   * ```ts
   * socket.compress(false).emit("hello");
   * ```
   */
  compress(compress: boolean): this {
    this.#flags.compress = compress;
    return this;
  }

  /**
   * Drops the next emit instead of buffering it when it cannot be written now.
   *
   * @example
   * ```ts
   * socket.volatile.emit("position", x, y);
   * ```
   */
  get volatile(): this {
    this.#flags.volatile = true;
    return this;
  }

  /**
   * Gives the next emit's acknowledgement a timeout: its callback gets an error first.
   *
   * @example
   * ```ts
   * socket.timeout(5000).emit("hello", (err, answer) => {
   *   if (err) console.log("no answer in time");
   * });
   * ```
   */
  timeout(timeout: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>> {
    this.#flags.timeout = timeout;
    return this as never;
  }
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- socket.io-client's public `Socket.DisconnectReason` type
export declare namespace Socket {
  /** Why a socket disconnected. */
  type DisconnectReason =
    | "io server disconnect"
    | "io client disconnect"
    | "ping timeout"
    | "transport close"
    | "transport error"
    | "parse error";
}
