/**
 * The Socket.IO server: socket.io 4.x's `Server` API over pushwire's engine, adapter
 * and codec. Methods that act on sockets (`emit`, `to`, `use`, `fetchSockets`, ...)
 * and the EventEmitter methods (`on("connection")`, ...) go to the main namespace `/`,
 * as in socket.io.
 *
 * @module
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { Adapter } from "../adapter/adapter.js";
import type { AdapterHost, PreparedPart, Room, SocketId } from "../adapter/contract.js";
import { SessionAwareAdapter } from "../adapter/session-aware.js";
import type { EngineConnection, RawData } from "../engine/connection.js";
import { prepareMessage } from "../engine/prepared.js";
import { DeadlineScheduler, systemClock, type DeadlineList } from "../engine/scheduler.js";
import { EngineServer } from "../engine/server.js";
import { PushwireError } from "../errors.js";
import { Decoder, decodeText, encode, type Packet } from "../protocol/index.js";
import { AckTimers } from "./ack.js";
import type { BroadcastOperator, RemoteSocket } from "./broadcast-operator.js";
import { Client, binaryTimedOut, connectTimedOut, type ClientServer } from "./client.js";
import { Namespace, type ServerReservedEventsMap } from "./namespace.js";
import {
  resolveServerOptions,
  type AdapterConstructor,
  type ExtendedError,
  type Handshake,
  type ParserDecoder,
  type ResolvedServerOptions,
  type ServerOptions,
} from "./options.js";
import { ParentNamespace, type ParentServer } from "./parent-namespace.js";
import { serveClientFile } from "./serve-client.js";
import type { Socket } from "./socket.js";
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

/** Decides whether a dynamic namespace accepts `name` (`io.of(fn)`). */
export type ParentNspNameMatchFn = (
  name: string,
  auth: { [key: string]: any },
  fn: (err: Error | null, success: boolean) => void,
) => void;

type AnyNamespace = Namespace<any, any, any, any>;

/**
 * A Socket.IO server.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { Server } from "pushwire";
 *
 * const httpServer = createServer();
 * const io = new Server(httpServer, { cors: { origin: "https://app.example.com" } });
 * io.on("connection", (socket) => {
 *   socket.on("chat", (text) => io.emit("chat", text));
 * });
 * httpServer.listen(3000);
 * ```
 */
export class Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
>
  extends StrictEventEmitter<
    ServerSideEvents,
    RemoveAcknowledgements<EmitEvents>,
    ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >
  implements ClientServer, ParentServer
{
  /** The main namespace (`/`). */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The Engine.IO server, once attached (`attach`, `listen`, or a server given to the constructor). */
  engine!: EngineServer;
  /** The HTTP server, once attached. */
  httpServer: HttpServer | HttpsServer | undefined;
  /** The options as given. */
  readonly opts: ServerOptions;
  /** @internal */
  readonly _opts: ResolvedServerOptions;
  /** @internal */
  readonly _nsps = new Map<
    string,
    Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  /** @internal */
  readonly _ackTimers: AckTimers;
  /** @internal */
  _connectTimeouts: DeadlineList;
  /** @internal */
  readonly _binaryTimeouts: DeadlineList;
  readonly #scheduler: DeadlineScheduler;
  readonly #parentNsps = new Map<
    ParentNspNameMatchFn,
    ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  readonly #parentsFromRegExp = new Map<
    RegExp,
    ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  #adapter: AdapterConstructor;
  readonly #encode: (packet: Packet) => readonly RawData[];
  readonly #newDecoder: () => ParserDecoder;
  /** @internal */
  readonly _decodeText: ((text: string) => Packet) | null;
  #createdHttpServer = false;
  /** Closing: no new socket is admitted. @internal */
  _closing = false;

  /**
   * @param srv An HTTP server to attach to, a port to listen on, or the options.
   * @param opts The options, when a server or a port is given first.
   */
  constructor(srv?: HttpServer | HttpsServer | number | ServerOptions, opts: ServerOptions = {}) {
    super();
    if (
      typeof srv === "object" &&
      srv !== null &&
      typeof (srv as HttpServer).listen !== "function"
    ) {
      opts = srv as ServerOptions;
      srv = undefined;
    }
    this.opts = opts;
    this._opts = resolveServerOptions(opts);
    this.#scheduler = new DeadlineScheduler(opts.clock ?? systemClock);
    this._ackTimers = new AckTimers(this.#scheduler);
    this._connectTimeouts = this.#scheduler.list(this._opts.connectTimeout, connectTimedOut);
    this._binaryTimeouts = this.#scheduler.list(this._opts.binaryTimeout, binaryTimedOut);
    this.#adapter = opts.adapter ?? (this._opts.recovery !== null ? SessionAwareAdapter : Adapter);
    const parser = opts.parser;
    if (parser === undefined) {
      const maxAttachments = this._opts.maxAttachments;
      // Server-side attachments are always bytes (Blob exists only in browsers).
      this.#encode = encode as (packet: Packet) => readonly RawData[];
      this.#newDecoder = () => new Decoder({ maxAttachments });
      this._decodeText = (text) => decodeText(text, maxAttachments);
    } else {
      const encoder = new parser.Encoder();
      this.#encode = (packet) => encoder.encode(packet) as RawData[];
      this.#newDecoder = () => new parser.Decoder({ maxAttachments: this._opts.maxAttachments });
      this._decodeText = null;
    }
    this.sockets = this.of("/");
    if (srv !== undefined) this.attach(srv as HttpServer | number);
  }

  // ---- server context (what namespaces, sockets and clients use) ----

  /** @internal */
  _encode(packet: Packet): readonly RawData[] {
    return this.#encode(packet);
  }

  /** @internal */
  _prepare(part: RawData): PreparedPart {
    return prepareMessage(part);
  }

  /** @internal */
  _createAdapter(host: AdapterHost): Adapter {
    return new (this.#adapter as new (nsp: AdapterHost) => Adapter)(host);
  }

  /** @internal */
  _newDecoder(): ParserDecoder {
    return this.#newDecoder();
  }

  /** @internal */
  _checkNamespace(
    name: string,
    auth: Handshake["auth"],
    done: (nsp: AnyNamespace | null) => void,
  ): void {
    const matchers = [...this.#parentNsps.keys()];
    let index = 0;
    const next = (): void => {
      const matcher = matchers[index++];
      if (matcher === undefined) {
        done(null);
        return;
      }
      let answered = false;
      const answer = (err: Error | null, allow: boolean): void => {
        if (answered) return;
        answered = true;
        if (err || !allow) {
          next();
          return;
        }
        const existing = this._nsps.get(name);
        if (existing !== undefined) {
          done(existing);
          return;
        }
        const parent = this.#parentNsps.get(matcher);
        if (parent === undefined) next();
        else done(parent.createChild(name));
      };
      try {
        matcher(name, auth, answer);
      } catch (err) {
        answer(err instanceof Error ? err : new Error(String(err)), false);
      }
    };
    next();
  }

  // ---- configuration ----

  /** Whether the client bundle is served (getter), or sets it (setter form). */
  serveClient(): boolean;
  serveClient(v: boolean): this;
  serveClient(v?: boolean): boolean | this {
    if (v === undefined) return this._opts.serveClient;
    this._opts.serveClient = v;
    return this;
  }

  /** The path the server answers under (getter), or sets it before `attach` (setter form). */
  path(): string;
  path(v: string): this;
  path(v?: string): string | this {
    if (v === undefined) return this._opts.path;
    this._opts.path = v.replace(/\/$/, "");
    return this;
  }

  /** Milliseconds a connection may stay without a namespace (getter), or sets it. */
  connectTimeout(): number;
  connectTimeout(v: number): this;
  connectTimeout(v?: number): number | this {
    if (v === undefined) return this._opts.connectTimeout;
    this._opts.connectTimeout = v;
    this._connectTimeouts = this.#scheduler.list(v, connectTimedOut);
    return this;
  }

  /** The adapter constructor (getter), or sets it and recreates every namespace's adapter. */
  adapter(): AdapterConstructor;
  adapter(v: AdapterConstructor): this;
  adapter(v?: AdapterConstructor): AdapterConstructor | this {
    if (v === undefined) return this.#adapter;
    this.#adapter = v;
    for (const nsp of this._nsps.values()) nsp._initAdapter();
    return this;
  }

  // ---- attaching ----

  /** Same as {@link attach}. */
  listen(srv: HttpServer | HttpsServer | number, opts: ServerOptions = {}): this {
    return this.attach(srv, opts);
  }

  /**
   * Attaches to an HTTP(S) server, or creates one listening on `port`.
   *
   * @example
   * ```ts
   * const io = new Server({ cors: { origin: "*" } });
   * io.attach(httpServer);
   * // or: io.listen(3000);
   * ```
   */
  attach(srv: HttpServer | HttpsServer | number | string, opts: ServerOptions = {}): this {
    if (typeof srv === "function") {
      throw new PushwireError(
        "PW_ERR_SERVER_UNSUPPORTED",
        "You are trying to attach the server to an Express request handler function. Please pass a http.Server instance.",
      );
    }
    let server: HttpServer | HttpsServer;
    if (typeof srv === "number" || (typeof srv === "string" && Number(srv) === Number(srv))) {
      server = createServer((_req, res) => {
        res.writeHead(404);
        res.end();
      });
      server.listen(Number(srv));
      this.#createdHttpServer = true;
    } else server = srv as HttpServer | HttpsServer;
    const engine = new EngineServer({ ...this.opts, ...opts, path: this._opts.path });
    engine.attach(server);
    this.httpServer = server;
    if (this._opts.serveClient) this.#attachServe(server);
    this.bind(engine);
    return this;
  }

  /**
   * Takes connections from `engine` (an engine you attached yourself).
   *
   * @example
   * ```ts
   * const engine = new EngineServer({ path: "/socket.io" });
   * engine.attach(httpServer);
   * io.bind(engine);
   * ```
   */
  bind(engine: EngineServer): this {
    this.engine = engine;
    engine.on("connection", (conn) => this.onconnection(conn));
    return this;
  }

  /**
   * Adopts an Engine.IO connection: from the engine, or from another transport that
   * implements {@link EngineConnection} (an in-process loopback in tests).
   */
  onconnection(conn: EngineConnection): this {
    new Client(this, conn);
    return this;
  }

  /** Serves the client bundle ahead of the engine's own request handling. */
  #attachServe(server: HttpServer | HttpsServer): void {
    const listeners = server.listeners("request") as ((...args: unknown[]) => void)[];
    server.removeAllListeners("request");
    server.on("request", (req, res) => {
      if (this._opts.serveClient && serveClientFile(req, res, this._opts.path)) return;
      for (const listener of listeners) listener.call(server, req, res);
    });
  }

  // ---- namespaces ----

  /**
   * The namespace `name` (created if needed), or a parent of dynamic namespaces for a
   * RegExp or a function.
   *
   * @example
   * ```ts
   * io.of("/admin").on("connection", (socket) => {});
   * io.of(/^\/team-\w+$/).on("connection", (socket) => socket.nsp.name);
   * io.of((name, auth, next) => next(null, name.startsWith("/user-")));
   * ```
   */
  of(
    name: string | RegExp | ParentNspNameMatchFn,
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    if (typeof name === "function" || name instanceof RegExp) {
      if (name instanceof RegExp && (name.global || name.sticky)) {
        throw new PushwireError(
          "PW_ERR_SERVER_INVALID_OPTION",
          "stateful regular expressions (g or y flag) are not supported",
        );
      }
      const parent = new ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(
        this,
      );
      if (typeof name === "function") this.#parentNsps.set(name, parent);
      else {
        const regex = name;
        this.#parentNsps.set((nsp, _auth, next) => next(null, regex.test(nsp)), parent);
        this.#parentsFromRegExp.set(regex, parent);
      }
      if (fn) parent.on("connect", fn);
      return parent;
    }
    if (String(name)[0] !== "/") name = "/" + String(name);
    let nsp = this._nsps.get(name);
    if (nsp === undefined) {
      for (const [regex, parent] of this.#parentsFromRegExp) {
        if (regex.test(name)) return parent.createChild(name);
      }
      nsp = new Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(this, name);
      this._nsps.set(name, nsp);
      if (name !== "/") this.sockets._emitNewNamespace(nsp);
    }
    if (fn) nsp.on("connect", fn);
    return nsp;
  }

  /**
   * Shuts down gracefully: new handshakes are refused at once (503, and CONNECT_ERROR on
   * open connections), every socket is closed (reason `server shutting down`), then
   * the engine ends its sessions in batches, each sending what was queued before its
   * close packet (clients see `transport close` and reconnect, elsewhere if need be).
   * Resolves once they are gone (at most `closeTimeout` later), the adapters, the
   * timers and the HTTP server closed.
   *
   * @example
   * ```ts
   * await io.close();
   * ```
   */
  async close(fn?: (err?: Error) => void): Promise<void> {
    this._stopAccepting();
    for (const nsp of this._nsps.values()) {
      for (const socket of [...nsp.sockets.values()]) socket._onclose("server shutting down");
    }
    const engine = this.engine as EngineServer | undefined;
    const drained = engine === undefined ? undefined : engine.shutdown();
    await Promise.allSettled([...this._nsps.values()].map((nsp) => nsp.adapter.close()));
    await drained;
    this.#scheduler.close();
    const httpServer = this.httpServer;
    if (httpServer === undefined) {
      fn?.();
      return;
    }
    await new Promise<void>((resolve) => {
      httpServer.close((err) => {
        fn?.(err);
        resolve();
      });
      if (this.#createdHttpServer) httpServer.closeAllConnections?.();
    });
  }

  /**
   * Refuses new sessions (engine 503) and new namespace connections (CONNECT_ERROR
   * `server is shutting down`) from now on; `close()` starts with this.
   *
   * @internal
   */
  _stopAccepting(): void {
    this._closing = true;
    (this.engine as EngineServer | undefined)?.stopAccepting();
  }

  // ---- the main namespace's API ----

  /**
   * Adds a middleware for sockets connecting to the main namespace.
   *
   * @example
   * ```ts
   * io.use((socket, next) => (socket.handshake.auth.token ? next() : next(new Error("no token"))));
   * ```
   */
  use(
    fn: (
      socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
      next: (err?: ExtendedError) => void,
    ) => void,
  ): this {
    this.sockets.use(fn);
    return this;
  }

  /** Targets the sockets in `room`. */
  to(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.to(room);
  }

  /** Same as {@link to}. */
  in(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.in(room);
  }

  /** Targets every socket except those in `room`. */
  except(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.except(room);
  }

  /**
   * Sends an event to every socket of the main namespace.
   *
   * @example
   * ```ts
   * io.emit("news", { id: 1 });
   * ```
   */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    return this.sockets.emit(ev, ...args);
  }

  /** Sends an event to every socket and resolves with their acknowledgements (with {@link timeout}). */
  emitWithAck<Ev extends EventNamesWithError<DecorateAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: AllButLast<EventParams<DecorateAcknowledgements<EmitEvents>, Ev>>
  ): Promise<unknown[]> {
    return (this.sockets.emitWithAck as (ev: unknown, ...a: unknown[]) => Promise<unknown[]>)(
      ev,
      ...(args as unknown[]),
    );
  }

  /** Sends `message` events to every socket. */
  send(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.send(...args);
    return this;
  }

  /** Same as {@link send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.write(...args);
    return this;
  }

  /** Sends an event to the other servers of the cluster. */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<
      DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerSideEvents>,
      Ev
    >
  ): boolean {
    return this.sockets.serverSideEmit(ev, ...args);
  }

  /** Sends an event to the other servers and resolves with their responses. */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]> {
    return (
      this.sockets.serverSideEmitWithAck as (
        ev: unknown,
        ...a: unknown[]
      ) => Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]>
    )(ev, ...(args as unknown[]));
  }

  /** The ids of the main namespace's sockets on this node. */
  allSockets(): Promise<Set<SocketId>> {
    return this.sockets.allSockets();
  }

  /** Asks for (or refuses) permessage-deflate on the next broadcast. */
  compress(
    compress: boolean,
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.compress(compress);
  }

  /** Lets the next broadcast be dropped for clients not ready to receive it. */
  get volatile(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.sockets.volatile;
  }

  /** Targets this node's sockets only. */
  get local(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.sockets.local;
  }

  /**
   * Waits at most `timeout` ms for the acknowledgements of the next broadcast.
   *
   * @example
   * ```ts
   * const responses = await io.timeout(1000).emitWithAck("poll");
   * ```
   */
  timeout(
    timeout: number,
  ): BroadcastOperator<
    DecorateAcknowledgements<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>>,
    SocketData
  > {
    return this.sockets.timeout(timeout);
  }

  /** The sockets of the main namespace. */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  /** Makes every socket join `room`. */
  socketsJoin(room: Room | Room[]): void {
    this.sockets.socketsJoin(room);
  }

  /** Makes every socket leave `room`. */
  socketsLeave(room: Room | Room[]): void {
    this.sockets.socketsLeave(room);
  }

  /** Disconnects every socket (and closes their connections with `close`). */
  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }
}

// The EventEmitter methods act on the main namespace, as in socket.io: io.on("connection")
// is io.sockets.on("connection").
for (const method of [
  "on",
  "once",
  "off",
  "addListener",
  "removeListener",
  "removeAllListeners",
  "prependListener",
  "prependOnceListener",
  "listeners",
  "rawListeners",
  "listenerCount",
  "eventNames",
  "setMaxListeners",
  "getMaxListeners",
] as const) {
  Object.defineProperty(Server.prototype, method, {
    configurable: true,
    writable: true,
    value: function (this: Server, ...args: unknown[]) {
      return (this.sockets[method] as (...a: unknown[]) => unknown).apply(this.sockets, args);
    },
  });
}
