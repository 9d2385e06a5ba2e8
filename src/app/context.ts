/**
 * The request context: which client the running handler serves, kept in an
 * AsyncLocalStorage so that `emit`, `send`, `joinRoom`, ... and `request` know it
 * without being handed a socket, as `flask_socketio`'s functions do. The context
 * follows the handler across `await`s and into the timers it starts; background
 * tasks run outside any context.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingHttpHeaders } from "node:http";
import type { ParsedUrlQuery } from "node:querystring";
import type { Room } from "../adapter/contract.js";
import { PushwireError } from "../errors.js";
import type { Server } from "../server/server.js";
import type { Socket } from "../server/socket.js";
import { splitEmitOptions, type EmitOptions } from "./options.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- sockets of any event maps */
/** A server-side socket of any event maps (`request.socket`). */
export type AnySocket = Socket<any, any, any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** An emit to the connecting client, held until its `connect` handler accepts it. @internal */
export interface PendingEmit {
  readonly event: string;
  readonly args: unknown[];
  readonly callback: ((...args: unknown[]) => void) | undefined;
}

/** What the face's functions need of the app (`SocketIO` implements it). */
export interface AppCore {
  readonly server: Server;
  /** @internal */
  _emit(ctx: HandlerContext | null, event: string, data: unknown[], opts: EmitOptions): void;
  /** @internal */
  _call(
    ctx: HandlerContext | null,
    event: string,
    data: unknown,
    opts: CallOptions,
  ): Promise<unknown>;
}

/** The context of one handler call. @internal */
export interface HandlerContext {
  readonly app: AppCore;
  readonly socket: AnySocket;
  readonly namespace: string;
  readonly event: string;
  readonly args: readonly unknown[];
  /** True while the `connect` handler runs: the client is not connected yet. */
  connecting: boolean;
  /** `disconnect()` was called from the `connect` handler: refuse the client. */
  refused: boolean;
  /** Emits to the connecting client, sent before its CONNECT answer if accepted. */
  readonly pending: PendingEmit[];
}

/** Options of `call`. */
export interface CallOptions {
  /** The client's sid. Default (inside a handler): the current client. */
  to?: string;
  /** The namespace. Default: the handler's own (inside a handler), `/` (outside). */
  namespace?: string;
  /** Milliseconds to wait for the answer before rejecting with `PW_ERR_ACK_TIMEOUT`. Default 60000. */
  timeout?: number;
}

/** @internal */
export const handlerContext = new AsyncLocalStorage<HandlerContext>();

/** The running handler's context, or a `PW_ERR_APP_NO_CONTEXT` error. @internal */
export function currentContext(what: string): HandlerContext {
  const ctx = handlerContext.getStore();
  if (ctx === undefined) {
    throw new PushwireError(
      "PW_ERR_APP_NO_CONTEXT",
      `${what} was called outside an event handler: it needs the current client (outside handlers, use socketio.emit / socketio.send)`,
    );
  }
  return ctx;
}

/**
 * The current client's socket in `namespace`: the handler's own socket, or the same
 * connection's socket on another namespace it joined.
 *
 * @internal
 */
export function selfIn(ctx: HandlerContext, namespace: string): AnySocket | undefined {
  if (namespace === ctx.namespace) return ctx.socket;
  const sockets = (ctx.socket.client as unknown as { sockets?: Map<string, AnySocket> }).sockets;
  return sockets?.get(namespace);
}

/**
 * Sends an event, by default to the client whose event is being handled. A last
 * argument of {@link EmitOptions} (`to`, `broadcast`, `namespace`, `includeSelf`,
 * `skipSid`, `callback`) says otherwise.
 *
 * @throws PushwireError `PW_ERR_APP_NO_CONTEXT` outside a handler.
 * @example
 * ```ts
 * socketio.on("my_event", (msg) => {
 *   emit("my_response", msg);                          // to the sender
 *   emit("my_response", msg, { broadcast: true });     // to everyone in the namespace
 *   emit("my_response", msg, { to: "room1", includeSelf: false });
 * });
 * ```
 */
export function emit(event: string, ...args: unknown[]): void {
  const ctx = currentContext("emit()");
  const { data, opts } = splitEmitOptions(args);
  ctx.app._emit(ctx, event, data, opts);
}

/**
 * Sends an unnamed message (the `message` event the client's `send` also uses), by
 * default to the client whose event is being handled.
 *
 * @throws PushwireError `PW_ERR_APP_NO_CONTEXT` outside a handler.
 * @example
 * ```ts
 * socketio.on("message", (msg) => send(msg)); // echo
 * ```
 */
export function send(data: unknown, opts: EmitOptions = {}): void {
  const ctx = currentContext("send()");
  ctx.app._emit(ctx, "message", [data], opts);
}

/**
 * Asks a client for an answer: sends `event` with `data` and resolves with the
 * client's acknowledgement (by default, the current client's).
 *
 * @throws PushwireError `PW_ERR_APP_NO_CONTEXT` outside a handler (use `socketio.call`).
 * @example
 * ```ts
 * socketio.on("login", async () => {
 *   const name = await call("what_is_your_name");
 * });
 * ```
 */
export function call(event: string, data?: unknown, opts: CallOptions = {}): Promise<unknown> {
  const ctx = currentContext("call()");
  return ctx.app._call(ctx, event, data, opts);
}

/** Options of {@link joinRoom}, {@link leaveRoom}, {@link rooms} and {@link disconnect}. */
export interface ClientOptions {
  /** Another client's sid. Default: the current client. */
  sid?: string;
  /** The namespace. Default: the handler's own. */
  namespace?: string;
}

/** Runs `self` on the current client's socket, or `other` on the operator for `sid`. */
function onClient(
  what: string,
  opts: ClientOptions,
  self: (socket: AnySocket) => void,
  other: (server: Server, namespace: string, sid: string) => void,
): void {
  const ctx = currentContext(what);
  const namespace = opts.namespace ?? ctx.namespace;
  const mine = selfIn(ctx, namespace);
  if (opts.sid === undefined || opts.sid === mine?.id) {
    if (mine !== undefined) self(mine);
    return;
  }
  other(ctx.app.server, namespace, opts.sid);
}

/**
 * Puts the current client (or `sid`) in a room.
 *
 * @throws PushwireError `PW_ERR_APP_NO_CONTEXT` outside a handler.
 * @example
 * ```ts
 * socketio.on("join", (room) => {
 *   joinRoom(room);
 *   emit("joined", room, { to: room });
 * });
 * ```
 */
export function joinRoom(room: Room, opts: ClientOptions = {}): void {
  onClient(
    "joinRoom()",
    opts,
    (socket) => socket.join(room),
    (server, namespace, sid) => server._nsps.get(namespace)?.in(sid).socketsJoin(room),
  );
}

/**
 * Takes the current client (or `sid`) out of a room.
 *
 * @throws PushwireError `PW_ERR_APP_NO_CONTEXT` outside a handler.
 * @example
 * ```ts
 * socketio.on("leave", (room) => leaveRoom(room));
 * ```
 */
export function leaveRoom(room: Room, opts: ClientOptions = {}): void {
  onClient(
    "leaveRoom()",
    opts,
    (socket) => socket.leave(room),
    (server, namespace, sid) => server._nsps.get(namespace)?.in(sid).socketsLeave(room),
  );
}

/**
 * Empties a room: every client in it leaves.
 *
 * @throws PushwireError `PW_ERR_APP_NO_CONTEXT` outside a handler (use `socketio.closeRoom`).
 * @example
 * ```ts
 * socketio.on("close_room", (room) => closeRoom(room));
 * ```
 */
export function closeRoom(room: Room, opts: { namespace?: string } = {}): void {
  const ctx = currentContext("closeRoom()");
  const namespace = opts.namespace ?? ctx.namespace;
  ctx.app.server._nsps.get(namespace)?.in(room).socketsLeave(room);
}

/**
 * The rooms of the current client (or of `sid`, on this node), its own room (its sid)
 * included.
 *
 * @throws PushwireError `PW_ERR_APP_NO_CONTEXT` outside a handler.
 * @example
 * ```ts
 * socketio.on("my_rooms", () => rooms()); // the answer is the list
 * ```
 */
export function rooms(opts: ClientOptions = {}): Room[] {
  let result: Room[] = [];
  onClient(
    "rooms()",
    opts,
    (socket) => (result = [...socket.rooms]),
    (server, namespace, sid) => {
      const socket = server._nsps.get(namespace)?.sockets.get(sid);
      if (socket !== undefined) result = [...socket.rooms];
    },
  );
  return result;
}

/**
 * Disconnects the current client (or `sid`) from the namespace. Called from a
 * `connect` handler, refuses the connection.
 *
 * @throws PushwireError `PW_ERR_APP_NO_CONTEXT` outside a handler.
 * @example
 * ```ts
 * socketio.on("kick_me", () => disconnect());
 * ```
 */
export function disconnect(opts: ClientOptions = {}): void {
  const ctx = currentContext("disconnect()");
  const namespace = opts.namespace ?? ctx.namespace;
  if (
    ctx.connecting &&
    namespace === ctx.namespace &&
    (opts.sid ?? ctx.socket.id) === ctx.socket.id
  ) {
    ctx.refused = true;
    return;
  }
  onClient(
    "disconnect()",
    opts,
    (socket) => void socket.disconnect(),
    (server, ns, sid) => server._nsps.get(ns)?.in(sid).disconnectSockets(),
  );
}

/** What {@link request} tells of the client and the event being handled. */
export interface RequestContext {
  /** The client's sid in this namespace (socket.io's `socket.id`; not the Engine.IO sid). */
  readonly sid: string;
  /** The namespace of the handler. */
  readonly namespace: string;
  /** The event being handled (`connect`, `disconnect`, `message`, `my_event`, ...). */
  readonly event: string;
  /**
   * The event's arguments (for `connect`: the auth payload; for `disconnect`: the
   * reason). Flask-SocketIO's `request.event["args"]`; not Flask's `request.args`, the
   * query, which is {@link RequestContext.query}.
   */
  readonly eventArgs: readonly unknown[];
  /** The `auth` payload the client connected with. */
  readonly auth: Record<string, unknown>;
  /** The headers of the request that opened the connection. */
  readonly headers: IncomingHttpHeaders;
  /** The query parameters of that request. */
  readonly query: ParsedUrlQuery;
  /** The client's IP address. */
  readonly address: string;
  /** The socket.io-style socket, for everything else. */
  readonly socket: AnySocket;
}

/**
 * The client and event being handled, as Flask's `request` inside a Flask-SocketIO
 * handler. Each property throws `PW_ERR_APP_NO_CONTEXT` outside a handler.
 *
 * @example
 * ```ts
 * socketio.on("connect", () => {
 *   console.log(request.sid, request.namespace, request.headers["user-agent"]);
 * });
 * ```
 */
export const request: RequestContext = Object.freeze({
  get sid() {
    return currentContext("request.sid").socket.id;
  },
  get namespace() {
    return currentContext("request.namespace").namespace;
  },
  get event() {
    return currentContext("request.event").event;
  },
  get eventArgs() {
    return currentContext("request.eventArgs").args;
  },
  get auth() {
    return currentContext("request.auth").socket.handshake.auth as Record<string, unknown>;
  },
  get headers() {
    return currentContext("request.headers").socket.handshake.headers;
  },
  get query() {
    return currentContext("request.query").socket.handshake.query;
  },
  get address() {
    return currentContext("request.address").socket.handshake.address;
  },
  get socket() {
    return currentContext("request.socket").socket;
  },
});
