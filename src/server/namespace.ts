/**
 * A `Namespace`: a set of sockets sharing middlewares, rooms and an adapter (`/`,
 * `/admin`, ...). It is the adapter's host: the adapter sees it through
 * {@link AdapterHost} only.
 *
 * @module
 */
import type { Adapter } from "../adapter/adapter.js";
import type {
  AdapterHost,
  PreparedPart,
  RecoveryConfig,
  Room,
  Session,
  SocketId,
} from "../adapter/contract.js";
import type { RawData } from "../engine/connection.js";
import { PushwireError } from "../errors.js";
import { PacketType, type Packet } from "../protocol/index.js";
import { socketConnect, socketRefused } from "./channels.js";
import { BroadcastOperator, type RemoteSocket } from "./broadcast-operator.js";
import type { ServerContext, SocketClient } from "./context.js";
import { runMiddlewares, type Middleware } from "./middleware.js";
import type { ExtendedError, Handshake } from "./options.js";
import { Socket } from "./socket.js";
import {
  StrictEventEmitter,
  type AllButLast,
  type DecorateAcknowledgements,
  type DecorateAcknowledgementsWithMultipleResponses,
  type DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  type DefaultEventsMap,
  type EventNames,
  type EventNamesWithAck,
  type EventNamesWithError,
  type EventParams,
  type EventsMap,
  type FirstNonErrorArg,
  type Last,
  type RemoveAcknowledgements,
} from "./typed-events.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- socket.io's public types use `any` for untyped data */

/** The events pushwire emits on a namespace. */
export interface NamespaceReservedEventsMap<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> {
  connect: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void;
  connection: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void;
}

/** The events pushwire emits on the server (its main namespace). */
export interface ServerReservedEventsMap<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> extends NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  new_namespace: (
    namespace: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
  ) => void;
}

/** Names `serverSideEmit` refuses. */
const RESERVED_NAMESPACE_EVENTS: ReadonlySet<string> = new Set([
  "connect",
  "connection",
  "new_namespace",
]);

/** The connection a socket is added from, as the namespace sees it. @internal */
export interface NamespaceClient extends SocketClient {
  /** The parsed query of the opening request, shared by the client's sockets. */
  readonly query: Handshake["query"];
}

/** Longest `pid` and `offset` a recovery attempt may present. */
const MAX_RECOVERY_TOKEN = 64;

function noop(): void {}

/**
 * A namespace.
 *
 * @example
 * ```ts
 * const admin = io.of("/admin");
 * admin.use((socket, next) => (socket.handshake.auth.token === secret ? next() : next(new Error("denied"))));
 * admin.on("connection", (socket) => socket.emit("hello admin"));
 * admin.to("room1").emit("news");
 * ```
 */
export class Namespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
>
  extends StrictEventEmitter<
    ServerSideEvents,
    RemoveAcknowledgements<EmitEvents>,
    NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >
  implements AdapterHost
{
  /** The namespace name: `/` or `/admin`. */
  readonly name: string;
  /** The connected sockets of this namespace on this node. */
  readonly sockets = new Map<
    SocketId,
    Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  /** The adapter (rooms index and broadcast). */
  adapter!: Adapter;
  /** The server. */
  readonly server: ServerContext;
  /** @internal */
  _fns: Middleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>[] = [];
  /** The acknowledgement id counter. @internal */
  _ids = 0;
  /** Called when the last socket leaves (child namespaces with cleanup). @internal */
  _onEmpty:
    ((nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void) | null =
    null;

  /** @internal */
  constructor(server: ServerContext, name: string) {
    super();
    this.server = server;
    this.name = name;
    this._initAdapter();
  }

  /** Creates this namespace's adapter (again, when the server's adapter changes). @internal */
  _initAdapter(): void {
    this.adapter = this.server._createAdapter(this);
    // An adapter reports its own failures; a rejected init must not crash the process.
    this.adapter.init().then(undefined, noop);
  }

  // ---- adapter host ----

  /** Connection state recovery settings, or null (adapter contract). */
  get recovery(): RecoveryConfig | null {
    return this.server._opts.recovery;
  }

  /** Encodes a packet with the server's parser (adapter contract). */
  encode(packet: Packet): readonly RawData[] {
    return this.server._encode(packet);
  }

  /** Prepares one encoded part for many sessions (adapter contract). */
  prepare(part: RawData): PreparedPart {
    return this.server._prepare(part);
  }

  /** A fresh id for a broadcast ack (adapter contract). */
  nextAckId(): number {
    return this._ids++;
  }

  /** Dispatches an event from another node (adapter contract). */
  onServerSideEmit(args: unknown[]): void {
    this.emitUntyped(...(args as [string, ...unknown[]]));
  }

  // ---- public API ----

  /**
   * Adds a middleware run for each connecting socket. `next(err)` refuses it: the
   * client receives CONNECT_ERROR `{ message, data }` (`err.data`).
   *
   * @example
   * ```ts
   * io.use((socket, next) => {
   *   if (isValid(socket.handshake.auth.token)) next();
   *   else next(Object.assign(new Error("unauthorized"), { data: { retry: false } }));
   * });
   * ```
   */
  use(
    fn: (
      socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
      next: (err?: ExtendedError) => void,
    ) => void,
  ): this {
    this._fns.push(fn);
    return this;
  }

  /**
   * Targets the sockets in `room`.
   *
   * @example
   * ```ts
   * io.of("/chat").to("room1").emit("hello");
   * ```
   */
  to(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.#operator().to(room);
  }

  /** Same as {@link to}. */
  in(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.#operator().in(room);
  }

  /**
   * Targets every socket except those in `room`.
   *
   * @example
   * ```ts
   * io.except("room1").emit("news");
   * ```
   */
  except(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.#operator().except(room);
  }

  /**
   * Sends an event to every socket of the namespace.
   *
   * @example
   * ```ts
   * io.of("/chat").emit("hello", "everyone");
   * ```
   */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    return (this.#operator().emit as (ev: unknown, ...a: unknown[]) => boolean)(
      ev,
      ...(args as unknown[]),
    );
  }

  /**
   * Sends an event to every socket and resolves with all their acknowledgements
   * (use with {@link timeout}).
   *
   * @example
   * ```ts
   * const responses = await io.of("/chat").timeout(1000).emitWithAck("poll");
   * ```
   */
  emitWithAck<Ev extends EventNamesWithError<DecorateAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: AllButLast<EventParams<DecorateAcknowledgements<EmitEvents>, Ev>>
  ): Promise<unknown[]> {
    const operator = this.#operator() as unknown as BroadcastOperator<EventsMap, SocketData>;
    return operator.emitWithAck(ev as string, ...(args as unknown[])) as Promise<unknown[]>;
  }

  /** Sends `message` events to every socket. */
  send(...args: EventParams<EmitEvents, "message">): this {
    (this.emit as (ev: string, ...a: unknown[]) => boolean)("message", ...args);
    return this;
  }

  /** Same as {@link send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /**
   * Sends an event to the other servers of the cluster; a callback last receives
   * `(err, responses)`.
   *
   * @example
   * ```ts
   * io.serverSideEmit("hello", "world");
   * io.on("hello", (arg) => {}); // on the other servers
   * ```
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<
      DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerSideEvents>,
      Ev
    >
  ): boolean {
    if (RESERVED_NAMESPACE_EVENTS.has(ev as string)) {
      throw new PushwireError(
        "PW_ERR_SERVER_RESERVED_EVENT",
        `"${String(ev)}" is a reserved event name`,
      );
    }
    void this.adapter.serverSideEmit([ev, ...(args as unknown[])]);
    return true;
  }

  /**
   * Sends an event to the other servers and resolves with their responses.
   *
   * @example
   * ```ts
   * const responses = await io.serverSideEmitWithAck("ping");
   * ```
   */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]> {
    return new Promise((resolve, reject) => {
      const callback = (
        err: (Error & { responses?: unknown }) | null,
        responses: unknown,
      ): void => {
        if (err) {
          err.responses = responses;
          reject(err);
        } else resolve(responses as FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]);
      };
      (this.serverSideEmit as (ev: unknown, ...a: unknown[]) => boolean)(
        ev,
        ...(args as unknown[]),
        callback,
      );
    });
  }

  /** The ids of the sockets of this namespace on this node. */
  allSockets(): Promise<Set<SocketId>> {
    return this.#operator().allSockets();
  }

  /** Asks for (or refuses) permessage-deflate on the next broadcast. */
  compress(
    compress: boolean,
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.#operator().compress(compress);
  }

  /** Lets the next broadcast be dropped for clients not ready to receive it. */
  get volatile(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.#operator().volatile;
  }

  /** Targets this node's sockets only. */
  get local(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.#operator().local;
  }

  /**
   * Waits at most `timeout` ms for the acknowledgements of the next broadcast.
   *
   * @example
   * ```ts
   * io.timeout(1000).emit("poll", (err, responses) => {});
   * ```
   */
  timeout(
    timeout: number,
  ): BroadcastOperator<
    DecorateAcknowledgements<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>>,
    SocketData
  > {
    return this.#operator().timeout(timeout);
  }

  /**
   * The sockets of the namespace (local `Socket`s, `RemoteSocket`s on other nodes).
   *
   * @example
   * ```ts
   * const sockets = await io.fetchSockets();
   * ```
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.#operator().fetchSockets() as unknown as Promise<
      RemoteSocket<EmitEvents, SocketData>[]
    >;
  }

  /** Makes every socket join `room`. */
  socketsJoin(room: Room | Room[]): void {
    this.#operator().socketsJoin(room);
  }

  /** Makes every socket leave `room`. */
  socketsLeave(room: Room | Room[]): void {
    this.#operator().socketsLeave(room);
  }

  /** Disconnects every socket (and closes their connections with `close`). */
  disconnectSockets(close = false): void {
    this.#operator().disconnectSockets(close);
  }

  // ---- connection, driven by the client ----

  /**
   * Adds a socket for `client`: restores its session if it presents one, runs the
   * middlewares, then connects it. `done` receives the socket, or null when it was
   * refused or the connection closed meanwhile.
   *
   * @internal
   */
  _add(
    client: NamespaceClient,
    auth: Handshake["auth"],
    done: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | null) => void,
  ): void {
    const pid: unknown = auth.pid;
    const offset: unknown = auth.offset;
    if (
      this.server._opts.recovery !== null &&
      typeof pid === "string" &&
      typeof offset === "string" &&
      pid.length <= MAX_RECOVERY_TOKEN &&
      offset.length <= MAX_RECOVERY_TOKEN
    ) {
      this.adapter.restoreSession(pid, offset).then(
        (session) => this.#admit(client, auth, session, done),
        () => this.#admit(client, auth, null, done),
      );
      return;
    }
    this.#admit(client, auth, null, done);
  }

  /** The socket left the namespace (or was refused). @internal */
  _remove(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    if (this.sockets.get(socket.id) === socket) this.sockets.delete(socket.id);
    if (this.sockets.size === 0 && this._onEmpty !== null) this._onEmpty(this);
  }

  /** Emits `new_namespace` (on the main namespace). @internal */
  _emitNewNamespace(nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    (this.emitUntyped as (ev: string, ...a: unknown[]) => boolean)("new_namespace", nsp);
  }

  #admit(
    client: NamespaceClient,
    auth: Handshake["auth"],
    session: Session | null,
    done: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | null) => void,
  ): void {
    if (!client._active) {
      done(null);
      return;
    }
    const socket = new Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(
      this,
      client,
      auth,
      session,
    );
    const recovery = this.server._opts.recovery;
    if (this._fns.length === 0 || (session && recovery?.skipMiddlewares === true)) {
      this.#connect(socket, done);
      return;
    }
    runMiddlewares(this._fns.slice(), socket, (err) => {
      if (!client._active) {
        socket._cleanup();
        done(null);
        return;
      }
      if (err !== null) {
        socket._cleanup();
        if (socketRefused.hasSubscribers)
          socketRefused.publish({ namespace: this.name, error: err });
        client._packet(
          {
            type: PacketType.CONNECT_ERROR,
            nsp: this.name,
            data: { message: err.message, data: (err as ExtendedError).data },
          },
          { volatile: false, compress: true },
        );
        done(null);
        return;
      }
      this.#connect(socket, done);
    });
  }

  #connect(
    socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    done: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | null) => void,
  ): void {
    this.sockets.set(socket.id, socket);
    socket._onconnect();
    if (socketConnect.hasSubscribers) socketConnect.publish({ socket });
    done(socket);
    this.emitReserved("connect", socket);
    this.emitReserved("connection", socket);
  }

  #operator(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return new BroadcastOperator(this.adapter);
  }
}
