/**
 * `pushwire/client`: the Socket.IO v5 client for browsers and Node, with the public API
 * of socket.io-client 4.x.
 *
 * @example
 * ```ts
 * import { io } from "pushwire/client";
 *
 * const socket = io("ws://127.0.0.1:5000/test_conn");
 * socket.on("server_response", (msg) => console.log(msg.data));
 * ```
 *
 * @module
 */
import { Manager } from "./manager.js";
import type { ManagerOptions } from "./manager-options.js";
import { Socket, type SocketOptions } from "./socket.js";
import type { DefaultEventsMap, EventsMap } from "./typed-events.js";
import { url } from "./url.js";

/** Managers shared by `io()` calls to the same server, by `url().id`. */
const cache = new Map<string, Manager>();

/**
 * Options of `io()`: those of the {@link Manager} and of the {@link Socket}.
 */
export type IoOptions = ManagerOptions & SocketOptions & { "force new connection"?: boolean };

function lookup<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
>(options?: IoOptions): Socket<ListenEvents, EmitEvents>;
function lookup<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
>(uri?: string, options?: IoOptions): Socket<ListenEvents, EmitEvents>;
function lookup(uri?: string | IoOptions, options?: IoOptions): Socket {
  if (typeof uri === "object") {
    options = uri;
    uri = undefined;
  }
  const opts: IoOptions = { ...options };
  const parsed = url(uri, opts.path || "/socket.io");
  const cached = cache.get(parsed.id);
  // A second socket on a namespace already in use needs its own connection.
  const newConnection =
    opts.forceNew ||
    opts["force new connection"] ||
    opts.multiplex === false ||
    (cached !== undefined && cached._hasNamespace(parsed.path));
  let manager: Manager;
  if (newConnection) manager = new Manager(parsed.source, opts);
  else if (cached !== undefined) manager = cached;
  else {
    manager = new Manager(parsed.source, opts);
    cache.set(parsed.id, manager);
  }
  if (parsed.query && !opts.query) opts.query = parsed.query;
  return manager.socket(parsed.path, opts);
}

/** The Socket.IO protocol revision this client speaks. */
export const protocol = 5;

/**
 * Connects to a namespace: `io(url?, options?)`. Sockets to one server share one
 * connection unless `forceNew` or `multiplex: false` says otherwise.
 *
 * @example
 * ```ts
 * const socket = io("https://example.com/chat", { auth: { token: "abc" } });
 * const same = io.connect("https://example.com/admin"); // same connection
 * ```
 */
const io = Object.assign(lookup, { io: lookup, connect: lookup, Manager, Socket, protocol });

export { io, io as connect, io as default, Manager, Socket };
export type { ManagerOptions, ManagerReservedEvents } from "./manager-options.js";
export type {
  SocketOptions,
  SocketReservedEvents,
  ExtendedError,
  SocketManager,
} from "./socket.js";
export type { DisconnectDescription, EngineOptions } from "./transport.js";
export type { BinaryType } from "./env.js";
export type * from "./typed-events.js";
export { Engine } from "./engine.js";
export { TransportError } from "./transport.js";
export type {
  Transport,
  TransportConstructor,
  TransportContext,
  TransportSink,
  OutgoingPacket,
} from "./transport.js";
export { Fetch, XHR } from "./polling.js";
export { WebSocket, WebSocket as NodeWebSocket } from "./websocket.js";
export { PushwireError } from "../errors.js";
