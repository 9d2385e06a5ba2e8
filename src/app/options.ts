/**
 * The options of the Flask-style face: those of `new SocketIO()`, of `emit` and
 * `send`, and of `run()`, with the rule that tells a trailing options object from data.
 *
 * @module
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Room } from "../adapter/contract.js";
import { PushwireError } from "../errors.js";
import type { ServerOptions } from "../server/options.js";

/** Where log lines go: `true` for standard output, or a function of your own. */
export type LogOption = boolean | ((line: string) => void);

/** Options of `new SocketIO()`: every `Server` option, plus Flask-SocketIO's own. */
export interface SocketIOOptions extends ServerOptions {
  /** Log connections, disconnections and events (Flask-SocketIO's `logger`). Default false. */
  logger?: LogOption;
  /** Log Engine.IO sessions: opened, upgraded, closed, refused (`engineio_logger`). Default false. */
  engineioLogger?: LogOption;
  /**
   * A Redis URL (`redis://host:port`): the nodes of a cluster share broadcasts and
   * rooms through it, and processes that are not servers can emit (`writeOnly`).
   * Needs the `redis` package. See docs/scale-out.md.
   */
  messageQueue?: string;
  /** With `messageQueue`: only emit through the queue, serve nothing (a worker). Default false. */
  writeOnly?: boolean;
  /** With `messageQueue`: the channel prefix shared by every node. Default `socket.io`. */
  channel?: string;
}

/**
 * Options of `emit`, `send` and `socketio.emit`, as Flask-SocketIO's keyword arguments.
 * Given as a last argument, after the data.
 */
export interface EmitOptions {
  /** A room, a client's sid, or several: only they receive it. */
  to?: Room | Room[];
  /** Same as `to` (Flask-SocketIO's older name). */
  room?: Room | Room[];
  /** The namespace. Default: the handler's own (inside a handler), `/` (outside). */
  namespace?: string;
  /** Inside a handler: send to every client of the namespace, not only the sender. */
  broadcast?: boolean;
  /** With `broadcast` or `to`: `false` leaves the sender out. Default true. */
  includeSelf?: boolean;
  /** Sids to leave out. */
  skipSid?: string | string[];
  /** Called with the client's acknowledgement. Needs one recipient (the sender, or `to: sid`). */
  callback?: (...args: unknown[]) => void;
}

const EMIT_OPTION_KEYS: ReadonlySet<string> = new Set([
  "to",
  "room",
  "namespace",
  "broadcast",
  "includeSelf",
  "skipSid",
  "callback",
]);

/**
 * Splits trailing {@link EmitOptions} off an argument list. The last argument is taken
 * as options when it is a plain object with at least one key and only option keys;
 * to send such an object as data, pass an options object after it (`{ broadcast: false }`).
 *
 * @internal
 */
export function splitEmitOptions(args: unknown[]): { data: unknown[]; opts: EmitOptions } {
  const last = args[args.length - 1];
  if (typeof last !== "object" || last === null) return { data: args, opts: {} };
  const proto = Object.getPrototypeOf(last) as unknown;
  if (proto !== Object.prototype && proto !== null) return { data: args, opts: {} };
  const keys = Object.keys(last);
  if (keys.length === 0 || !keys.every((k) => EMIT_OPTION_KEYS.has(k))) {
    return { data: args, opts: {} };
  }
  return { data: args.slice(0, -1), opts: checkEmitOptions(last as EmitOptions) };
}

function invalid(message: string): PushwireError {
  return new PushwireError("PW_ERR_APP_INVALID_OPTION", message);
}

function isRooms(value: unknown): boolean {
  return (
    typeof value === "string" ||
    (Array.isArray(value) && value.every((room) => typeof room === "string"))
  );
}

/** @internal */
export function checkEmitOptions(opts: EmitOptions): EmitOptions {
  if (opts.to !== undefined && !isRooms(opts.to))
    throw invalid("`to` must be a room or a list of rooms");
  if (opts.room !== undefined && !isRooms(opts.room))
    throw invalid("`room` must be a room or a list of rooms");
  if (opts.skipSid !== undefined && !isRooms(opts.skipSid))
    throw invalid("`skipSid` must be a sid or a list of sids");
  if (
    opts.namespace !== undefined &&
    (typeof opts.namespace !== "string" || opts.namespace[0] !== "/")
  ) {
    throw invalid("`namespace` must be a string starting with /");
  }
  if (opts.callback !== undefined && typeof opts.callback !== "function")
    throw invalid("`callback` must be a function");
  return opts;
}

/** A list of rooms from `undefined`, a room or rooms. @internal */
export function roomList(value: Room | Room[] | undefined): Room[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Any Node request listener: a plain `http` handler, an Express app, Hono's node adapter. */
export type AppHandler =
  | RequestListener
  | ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => unknown);

/** An app: a request listener, or an object with `callback()` returning one (Koa). */
export type App = AppHandler | { callback(): AppHandler };

/** Options of `socketio.run()`. */
export interface RunOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; 0 picks a free one. Default 5000. */
  port?: number;
  /**
   * Verbose logs (`logger`, `engineioLogger`, `logOutput`) and, unless `useReloader`
   * is false, a restart whenever a file under the app's folder changes. Default false.
   */
  debug?: boolean;
  /** Restart on source changes. Default: `debug`. */
  useReloader?: boolean;
  /** More files or folders the reloader watches. */
  extraFiles?: string[];
  /** Serve the files of this folder (`/` gives its `index.html`), before the app. */
  staticDir?: string;
  /** Log one line per HTTP request. Default: `debug`. */
  logOutput?: boolean;
  /**
   * Stop gracefully on SIGINT and SIGTERM (close the server, which tells the clients,
   * stop the background tasks), then exit. Default true.
   */
  handleSignals?: boolean;
}

/** Where `run()` listens. */
export interface RunAddress {
  address: string;
  port: number;
  family: string;
  /** `http://host:port`, ready to open. */
  url: string;
}
