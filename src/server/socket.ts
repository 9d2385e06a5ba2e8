/**
 * A `Socket`: one client's presence in one namespace, with socket.io's API (events,
 * acknowledgements both ways, rooms, per-packet middleware, catch-all listeners).
 *
 * One object per socket; everything else is created when first used: the ack map,
 * middleware and catch-all arrays, and the rooms set in the adapter (a socket's own
 * room is implicit). Pending emit modifiers (`volatile`, `compress`, `timeout`) are
 * plain fields, not a flags object per emit.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import { writeFlags } from "../adapter/adapter.js";
import type { Adapter } from "../adapter/adapter.js";
import type {
  AdapterSocket,
  BroadcastFlags,
  PreparedPart,
  PrivateSessionId,
  Room,
  Session,
  SocketId,
  WriteFlags,
} from "../adapter/contract.js";
import type { EngineConnection, RequestInfo } from "../engine/connection.js";
import { useFastListenerTable } from "../engine/listener-table.js";
import { randomSid } from "../engine/sid.js";
import { PushwireError } from "../errors.js";
import { PacketType, RESERVED_EVENTS, type Packet } from "../protocol/index.js";
import { PendingAck, ackRefusal, clearAcks, type AckOwner } from "./ack.js";
import { BroadcastOperator, ackTimeoutError, reservedEventError } from "./broadcast-operator.js";
import type { ServerContext, SocketClient } from "./context.js";
import { CatchAllEmitter } from "./catch-all.js";
import { socketDisconnect } from "./channels.js";
import { buildHandshake } from "./handshake.js";
import { runMiddlewares, type Middleware } from "./middleware.js";
import { joinWithinLimit } from "./room-limit.js";
import {
  CLOSED,
  EPOCH,
  NO_COMPRESS,
  NO_DATA,
  RECOVERED,
  SocketExtras,
  VOLATILE,
  sinceEpoch,
} from "./socket-state.js";
import {
  RECOVERABLE_REASONS,
  type DisconnectReason,
  type Event,
  type Handshake,
  type SocketReservedEventsMap,
} from "./options.js";
import {
  type AllButLast,
  type DecorateAcknowledgements,
  type DecorateAcknowledgementsWithMultipleResponses,
  type DefaultEventsMap,
  type EventNames,
  type EventNamesWithAck,
  type EventParams,
  type EventsMap,
  type FirstNonErrorArg,
  type Last,
  type RemoveAcknowledgements,
} from "./typed-events.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- socket.io's public types use `any` for untyped data */

function noop(): void {}

/** The namespace as its sockets see it (`socket.nsp`). */
export interface SocketNamespace<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> {
  readonly name: string;
  readonly adapter: Adapter;
  readonly server: ServerContext;
  readonly sockets: Map<SocketId, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>;
  to(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  in(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  except(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean;
  /** A fresh acknowledgement id. @internal */
  nextAckId(): number;
  /** The socket left (or never joined) the namespace. @internal */
  _remove(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void;
}

/**
 * One client connected to one namespace.
 *
 * @example
 * ```ts
 * io.on("connection", (socket) => {
 *   socket.join("room1");
 *   socket.emit("welcome", socket.id);
 *   socket.on("chat", (text, ack) => {
 *     socket.to("room1").emit("chat", text);
 *     ack("ok");
 *   });
 *   socket.on("disconnect", (reason) => console.log(socket.id, reason));
 * });
 * ```
 */
export class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
>
  extends CatchAllEmitter<ListenEvents, EmitEvents, SocketReservedEventsMap>
  implements AdapterSocket, AckOwner
{
  /** The namespace this socket belongs to. */
  readonly nsp: SocketNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The connection this socket rides on (shared by the client's namespaces). */
  readonly client: SocketClient;
  /** The socket id: random, and distinct from the Engine.IO sid (a secret). */
  readonly id: SocketId;
  /** Whether the socket is connected to its namespace. */
  connected = false;

  /** Built on first access: most sockets never read it, nor its date string and query. */
  #handshake: Handshake | null = null;
  readonly #auth: Handshake["auth"];
  /** When the socket was created, in ms after {@link EPOCH} (a small integer, unboxed). */
  readonly #issued: number;
  #data: SocketData | typeof NO_DATA = NO_DATA;
  #acks: Map<number, PendingAck> | null = null;
  #extras: SocketExtras | null = null;
  /** {@link CLOSED}, {@link RECOVERED}, and the next emit's {@link VOLATILE} and {@link NO_COMPRESS}. */
  #bits = 0;

  /** @internal */
  constructor(
    nsp: SocketNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    client: SocketClient,
    auth: Handshake["auth"],
    session?: Session | null,
  ) {
    super();
    useFastListenerTable(this);
    this.nsp = nsp;
    this.client = client;
    this.#auth = auth;
    this.#issued = sinceEpoch();
    if (session) {
      // The pid stays: socket.io-client reports `recovered` only when the CONNECT answer
      // carries the pid it presented. A pid still works once only (the adapter deletes
      // the session it names when restoring it).
      const extras = this.extras();
      extras.pid = session.pid;
      extras.missed = session.missedPackets;
      this.id = session.sid;
      this.#data = session.data as SocketData;
      this.#bits = RECOVERED;
      this.join(session.rooms);
    } else {
      if (nsp.server._opts.recovery !== null) this.extras().pid = randomSid();
      this.id = randomSid();
    }
    // A client's "error" event must not throw for want of a listener (CVE-2024-38355).
    this.on("error", noop);
  }

  /** The handshake details: headers, address, query, `auth`, ... Built on first access. */
  get handshake(): Handshake {
    return (this.#handshake ??= buildHandshake(this.client, this.#auth, EPOCH + this.#issued));
  }

  /** Application data; kept across a recovered disconnection. An object until set. */
  get data(): SocketData {
    return this.#data === NO_DATA ? (this.#data = {} as SocketData) : this.#data;
  }
  set data(data: SocketData) {
    this.#data = data;
  }

  /** Whether this socket's state was restored by connection state recovery. */
  get recovered(): boolean {
    return (this.#bits & RECOVERED) !== 0;
  }

  /** The private session id for recovery. @internal */
  get _pid(): PrivateSessionId | undefined {
    return this.#extras?.pid;
  }

  /** The request that opened the connection, as the engine's snapshot. */
  get request(): RequestInfo {
    return this.client.conn.request;
  }

  /** The Engine.IO connection. */
  get conn(): EngineConnection {
    return this.client.conn;
  }

  /** Whether the socket is disconnected. */
  get disconnected(): boolean {
    return !this.connected;
  }

  /** The rooms this socket is in, its own room (its id) included. A copy. */
  get rooms(): Set<Room> {
    if ((this.#bits & CLOSED) !== 0) return new Set();
    return this.nsp.adapter.socketRooms(this.id) ?? new Set([this.id]);
  }

  /**
   * Sends an event to this client. A function as last argument receives the client's
   * acknowledgement.
   *
   * @example
   * ```ts
   * socket.emit("hello", "world", { n: 1 }, Buffer.from([1, 2]));
   * socket.timeout(5000).emit("question", (err, answer) => {});
   * ```
   */
  override emit<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean {
    if (RESERVED_EVENTS.has(ev as string)) throw reservedEventError(ev);
    const length = args.length;
    const data = new Array<unknown>(length + 1);
    data[0] = ev;
    for (let i = 0; i < length; i++) data[i + 1] = args[i];
    const bits = this.#bits;
    const volatile = (bits & VOLATILE) !== 0;
    const compress = (bits & NO_COMPRESS) === 0;
    const extras = this.#extras;
    const timeout = extras === null ? undefined : extras.timeout;
    this.#bits = bits & (CLOSED | RECOVERED);
    if (timeout !== undefined) extras!.timeout = undefined;
    const packet: Packet = { type: PacketType.EVENT, nsp: this.nsp.name, data, id: undefined };
    if (typeof data[length] === "function") {
      const callback = data.pop() as (...a: unknown[]) => void;
      const id = this.nsp.nextAckId();
      if (!this.registerAck(id, callback, timeout)) return true;
      packet.id = id;
    }
    if (this.nsp.server._opts.recovery !== null) {
      // Through the adapter, which gives the packet an offset and keeps it for replay.
      const flags: BroadcastFlags = { volatile, compress };
      this.nsp.adapter.broadcast(packet, { rooms: new Set([this.id]), except: new Set(), flags });
      return true;
    }
    if (this._anyOutgoing !== null) this.notifyOutgoing(packet);
    this.client._packet(packet, writeFlags(volatile, compress));
    return true;
  }

  /**
   * Sends an event and resolves with the client's acknowledgement. With `timeout()`,
   * rejects with a `PW_ERR_ACK_TIMEOUT` error when it elapses.
   *
   * @example
   * ```ts
   * const answer = await socket.timeout(5000).emitWithAck("question", 42);
   * ```
   */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>> {
    const withError = this.#extras?.timeout !== undefined;
    return new Promise((resolve, reject) => {
      const callback = withError
        ? (err: Error | null, response: unknown): void =>
            err ? reject(err) : resolve(response as never)
        : (response: unknown): void => resolve(response as never);
      (this.emit as (ev: unknown, ...a: unknown[]) => boolean)(
        ev,
        ...(args as unknown[]),
        callback,
      );
    });
  }

  /**
   * Sends `message` events (`socket.send(x)` is `socket.emit("message", x)`).
   *
   * @example
   * ```ts
   * socket.send("hello");
   * ```
   */
  send(...args: EventParams<EmitEvents, "message">): this {
    (this.emit as (ev: string, ...a: unknown[]) => boolean)("message", ...args);
    return this;
  }

  /** Same as {@link send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /**
   * Joins one or more rooms. Rooms beyond `maxRoomsPerSocket` are not joined and the
   * socket emits `error` with `PW_ERR_SERVER_ROOM_LIMIT` (RELIABILITY A6-7).
   *
   * @example
   * ```ts
   * socket.join("room1");
   * socket.join(["room2", "room3"]);
   * ```
   */
  join(rooms: Room | Room[]): void {
    if ((this.#bits & CLOSED) !== 0) return;
    const list = Array.isArray(rooms) ? rooms : [rooms];
    const max = this.nsp.server._opts.maxRoomsPerSocket;
    const refused = joinWithinLimit(this.nsp.adapter, this.id, list, max);
    if (refused > 0) {
      this._onerror(
        new PushwireError(
          "PW_ERR_SERVER_ROOM_LIMIT",
          `too many rooms for one socket: ${refused} not joined (maxRoomsPerSocket ${max})`,
        ),
      );
    }
  }

  /**
   * Leaves a room.
   *
   * @example
   * ```ts
   * socket.leave("room1");
   * ```
   */
  leave(room: Room): void {
    this.nsp.adapter.del(this.id, room);
  }

  /**
   * Targets the other sockets in `room` (this one excluded).
   *
   * @example
   * ```ts
   * socket.to("room1").emit("joined", socket.id);
   * ```
   */
  to(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.operator().to(room);
  }

  /** Same as {@link to}. */
  in(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.operator().in(room);
  }

  /**
   * Targets every other socket except those in `room`.
   *
   * @example
   * ```ts
   * socket.except("room1").emit("news");
   * ```
   */
  except(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.operator().except(room);
  }

  /**
   * Targets every other socket of the namespace.
   *
   * @example
   * ```ts
   * socket.broadcast.emit("user joined", socket.id);
   * ```
   */
  get broadcast(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.operator();
  }

  /** Targets every other socket of the namespace on this node only. */
  get local(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.operator().local;
  }

  /**
   * Lets the next emit be dropped if the client is not ready to receive it.
   *
   * @example
   * ```ts
   * socket.volatile.emit("position", x, y);
   * ```
   */
  get volatile(): this {
    this.#bits |= VOLATILE;
    return this;
  }

  /**
   * Asks for (or refuses) permessage-deflate on the next emit.
   *
   * @example
   * ```ts
   * socket.compress(false).emit("raw", bytes);
   * ```
   */
  compress(compress: boolean): this {
    this.#bits = compress ? this.#bits & ~NO_COMPRESS : this.#bits | NO_COMPRESS;
    return this;
  }

  /**
   * Makes the next emit's acknowledgement callback receive an error first, and a
   * `PW_ERR_ACK_TIMEOUT` error ("operation has timed out") after `timeout` ms.
   *
   * @example
   * ```ts
   * socket.timeout(1000).emit("ping", (err) => { if (err) console.log("no answer"); });
   * ```
   */
  timeout(
    timeout: number,
  ): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData> {
    this.extras().timeout = timeout;
    return this as unknown as Socket<
      ListenEvents,
      DecorateAcknowledgements<EmitEvents>,
      ServerSideEvents,
      SocketData
    >;
  }

  /**
   * Disconnects the socket from its namespace; with `close`, closes the whole
   * connection (every namespace of this client).
   *
   * @example
   * ```ts
   * socket.disconnect(true);
   * ```
   */
  disconnect(close = false): this {
    if (!this.connected) return this;
    if (close) this.client._disconnect();
    else {
      this.client._packet(
        { type: PacketType.DISCONNECT, nsp: this.nsp.name },
        writeFlags(false, true),
      );
      this._onclose("server namespace disconnect");
    }
    return this;
  }

  /**
   * Adds a middleware run for each incoming event, before the listeners. `next(err)`
   * drops the event and emits `error` on the socket.
   *
   * @example
   * ```ts
   * socket.use(([event, ...args], next) => (event === "admin" ? next(new Error("no")) : next()));
   * ```
   */
  use(fn: (event: Event, next: (err?: Error) => void) => void): this {
    (this.extras().fns ??= []).push(fn as Middleware<Event>);
    return this;
  }

  // ---- adapter contract ----

  /** Writes a broadcast's prepared parts (adapter contract). */
  writePrepared(packet: Packet, parts: readonly PreparedPart[], flags: WriteFlags): void {
    if (this._anyOutgoing !== null) this.notifyOutgoing(packet);
    this.client._writePrepared(parts, flags);
  }

  /** Registers a broadcast ack; false at `maxPendingAcks` (adapter contract). */
  expectAck(id: number, ack: (...args: unknown[]) => void): boolean {
    if ((this.#bits & CLOSED) !== 0) return false;
    const acks = (this.#acks ??= new Map());
    if (acks.size >= this.nsp.server._opts.maxPendingAcks) return false;
    acks.set(id, new PendingAck(this, id, ack, false));
    return true;
  }

  /** Drops a broadcast ack that timed out (adapter contract). */
  forgetAck(id: number): void {
    const ack = this.#acks?.get(id);
    if (ack === undefined) return;
    this.#acks!.delete(id);
    this.nsp.server._ackTimers.cancel(ack);
  }

  /** How many acknowledgements this socket waits for. */
  get pendingAcks(): number {
    return this.#acks?.size ?? 0;
  }

  /** @internal */
  _ackExpired(ack: PendingAck): void {
    this.#acks?.delete(ack.id);
    ack.callback.call(this, ackTimeoutError());
  }

  // ---- lifecycle, driven by the client and the namespace ----

  /** The namespace accepted the socket: answer the CONNECT, replay missed packets. @internal */
  _onconnect(): void {
    this.connected = true;
    const flags = writeFlags(false, true);
    this.client._packet(
      { type: PacketType.CONNECT, nsp: this.nsp.name, data: { sid: this.id, pid: this._pid } },
      flags,
    );
    const missed = this.#extras?.missed ?? null;
    if (missed !== null) {
      this.#extras!.missed = null;
      for (const data of missed) {
        this.client._packet(
          { type: PacketType.EVENT, nsp: this.nsp.name, data, id: undefined },
          flags,
        );
      }
    }
    this.client._spaceAfterConnect();
  }

  /** A packet for this socket's namespace. @internal */
  _onpacket(packet: Packet): void {
    switch (packet.type) {
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        this.onevent(packet);
        break;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        this.onack(packet);
        break;
      case PacketType.DISCONNECT:
        this._onclose("client namespace disconnect");
        break;
    }
  }

  /** @internal */
  _onerror(err: Error): void {
    this.emitReserved("error", err);
  }

  /** The socket leaves its namespace. @internal */
  _onclose(reason: DisconnectReason, description?: unknown): void {
    if (!this.connected) return;
    this.emitReserved("disconnecting", reason, description);
    const recovery = this.nsp.server._opts.recovery;
    if (recovery !== null && this._pid !== undefined && RECOVERABLE_REASONS.has(reason)) {
      this.nsp.adapter.persistSession({
        sid: this.id,
        pid: this._pid,
        rooms: [...this.rooms],
        data: this.data,
      });
    }
    this._cleanup();
    this.client._remove(this.nsp.name, reason === "server namespace disconnect");
    this.connected = false;
    this.clearAcks();
    if (socketDisconnect.hasSubscribers) socketDisconnect.publish({ socket: this, reason });
    this.emitReserved("disconnect", reason, description);
  }

  /** Leaves every room and the namespace; no room can be joined afterwards. @internal */
  _cleanup(): void {
    this.#bits |= CLOSED;
    this.nsp.adapter.delAll(this.id);
    this.nsp._remove(this);
  }

  private extras(): SocketExtras {
    return (this.#extras ??= new SocketExtras());
  }

  private registerAck(
    id: number,
    callback: (...a: unknown[]) => void,
    timeout: number | undefined,
  ): boolean {
    const acks = (this.#acks ??= new Map());
    const refusal = ackRefusal(
      (this.#bits & CLOSED) !== 0,
      acks.size,
      this.nsp.server._opts.maxPendingAcks,
    );
    if (refusal !== null) {
      if (timeout !== undefined) process.nextTick(callback, refusal);
      else this._onerror(refusal);
      return false;
    }
    const ack = new PendingAck(this, id, callback, timeout !== undefined);
    acks.set(id, ack);
    if (timeout !== undefined) this.nsp.server._ackTimers.schedule(ack, timeout);
    return true;
  }

  /** Drops pending acks (B7: the map returns to 0). */
  private clearAcks(): void {
    const acks = this.#acks;
    this.#acks = null;
    if (acks !== null) clearAcks(acks, this.nsp.server._ackTimers);
  }

  private onevent(packet: Packet): void {
    const args = packet.data as unknown[];
    if (packet.id !== undefined) args.push(this.ackFunction(packet.id));
    const any = this._anyIncoming;
    if (any !== null && any.length > 0) {
      for (const listener of any.slice()) listener.apply(this, args);
    }
    const fns = this.#extras?.fns ?? null;
    if (fns === null || fns.length === 0) {
      this.dispatch(args);
      return;
    }
    runMiddlewares(fns.slice(), args as Event, (err) => {
      if (err !== null) this._onerror(err);
      else this.dispatch(args);
    });
  }

  private dispatch(args: unknown[]): void {
    // Names reach listeners as the codec validated them: a non-reserved string or a number.
    if (this.connected) EventEmitter.prototype.emit.apply(this, args as [string, ...unknown[]]);
  }

  private ackFunction(id: number): (...args: unknown[]) => void {
    let sent = false;
    return (...args: unknown[]): void => {
      if (sent || !this.connected) return;
      sent = true;
      const packet: Packet = { type: PacketType.ACK, nsp: this.nsp.name, data: args, id };
      this.client._packet(packet, writeFlags(false, true));
    };
  }

  private onack(packet: Packet): void {
    const id = packet.id;
    const ack = id === undefined ? undefined : this.#acks?.get(id);
    if (ack === undefined) return; // unknown or already answered (RELIABILITY A5-6)
    this.#acks!.delete(ack.id);
    this.nsp.server._ackTimers.cancel(ack);
    const args = packet.data as unknown[];
    if (ack.withError) ack.callback.call(this, null, ...args);
    else ack.callback.apply(this, args);
  }

  private notifyOutgoing(packet: Packet): void {
    const listeners = this._anyOutgoing;
    if (listeners === null || listeners.length === 0) return;
    for (const listener of listeners.slice()) listener.apply(this, packet.data as unknown[]);
  }

  private operator(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    const flags: BroadcastFlags = {};
    const bits = this.#bits;
    if ((bits & VOLATILE) !== 0) flags.volatile = true;
    if ((bits & NO_COMPRESS) !== 0) flags.compress = false;
    const extras = this.#extras;
    if (extras !== null && extras.timeout !== undefined) flags.timeout = extras.timeout;
    this.#bits = bits & (CLOSED | RECOVERED);
    if (extras !== null) extras.timeout = undefined;
    return new BroadcastOperator(this.nsp.adapter, new Set(), new Set([this.id]), flags);
  }
}
