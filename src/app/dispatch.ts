/**
 * How the face's handlers meet the socket.io-style server: per namespace, one
 * middleware runs the `connect` handler (so that it can refuse with CONNECT_ERROR), one
 * `connection` listener gives each socket a catch-all listener and a `disconnecting`
 * listener. These listeners are shared functions (the socket is `this`), not closures
 * per socket, and the handler is looked up when the event arrives.
 *
 * A handler runs inside its request context; its return value (or resolved promise)
 * answers the client's acknowledgement, as python-socketio sends a handler's return
 * value. What it throws, synchronously or not, goes to the namespace's error handler,
 * else the default one, else `console.error`: never to the event loop.
 *
 * @module
 * @internal
 */
import { writeFlags } from "../adapter/adapter.js";
import { PacketType, type Packet } from "../protocol/index.js";
import type { SocketClient } from "../server/context.js";
import type { DisconnectReason } from "../server/options.js";
import type { Server } from "../server/server.js";
import {
  handlerContext,
  type AnySocket,
  type AppCore,
  type HandlerContext,
  type PendingEmit,
} from "./context.js";
import { ConnectionRefusedError } from "./refused.js";
import { isAbortError } from "./tasks.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- handlers take whatever the client sent */
/** A handler of an event: its return value (or resolved promise) is the acknowledgement. */
export type EventHandler = (...args: any[]) => unknown;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A handler of errors thrown by event handlers: its return value is the acknowledgement. */
export type ErrorHandler = (err: unknown) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** The handlers of every namespace, and the listeners that call them. @internal */
export class Dispatcher {
  readonly #app: AppCore;
  readonly #server: Server;
  readonly #handlers = new Map<string, Map<string, EventHandler>>();
  readonly #errorHandlers = new Map<string, ErrorHandler>();
  readonly #wired = new Set<string>();
  #defaultErrorHandler: ErrorHandler | null = null;
  /** Logs events when the `logger` option is on. */
  log: ((line: string) => void) | null = null;
  /** The app is closing: aborted sleeps are not errors then. */
  closing = false;

  // Shared listeners: `this` is the socket.
  readonly #onAny: (this: AnySocket, event: string | number, ...args: unknown[]) => void;
  readonly #onDisconnecting: (this: AnySocket, reason: DisconnectReason) => void;
  readonly #onConnection: (socket: AnySocket) => void;

  constructor(app: AppCore, server: Server) {
    this.#app = app;
    this.#server = server;
    const dispatch = (socket: AnySocket, event: string, args: unknown[]): void =>
      this.#dispatch(socket, event, args);
    const disconnected = (socket: AnySocket, reason: DisconnectReason): void =>
      this.#disconnected(socket, reason);
    this.#onAny = function (event, ...args) {
      dispatch(this, String(event), args);
    };
    this.#onDisconnecting = function (reason) {
      disconnected(this, reason);
    };
    this.#onConnection = (socket) => {
      socket.onAny(this.#onAny);
      socket.on("disconnecting", this.#onDisconnecting);
      this.log?.(`${socket.nsp.name} ${socket.id} connected`);
    };
  }

  /** Registers `handler` for `event` on `namespace` (the last registration wins). */
  on(namespace: string, event: string, handler: EventHandler): void {
    let map = this.#handlers.get(namespace);
    if (map === undefined) this.#handlers.set(namespace, (map = new Map()));
    map.set(event, handler);
    this.#wire(namespace);
  }

  onError(namespace: string, handler: ErrorHandler): void {
    this.#errorHandlers.set(namespace, handler);
  }

  onErrorDefault(handler: ErrorHandler): void {
    this.#defaultErrorHandler = handler;
  }

  /** Whether `event` on `namespace` has a handler (a catch-all `*` counts). */
  has(event: string, namespace: string): boolean {
    const map = this.#handlers.get(namespace);
    if (map === undefined) return false;
    return map.has(event) || map.has("*");
  }

  /** Reports an error outside any handler (a background task) to the default handler. */
  report(err: unknown, what: string): void {
    const handler = this.#defaultErrorHandler;
    if (handler === null) {
      console.error(`pushwire: ${what} failed:`, err);
      return;
    }
    try {
      const result = handler(err);
      if (isThenable(result)) {
        result.then(undefined, (e: unknown) =>
          console.error(`pushwire: the error handler failed:`, e, "while handling", err),
        );
      }
    } catch (e) {
      console.error(`pushwire: the error handler failed:`, e, "while handling", err);
    }
  }

  /** Sets up `namespace` once: the connect middleware and the connection listener. */
  #wire(namespace: string): void {
    if (this.#wired.has(namespace)) return;
    this.#wired.add(namespace);
    const nsp = this.#server.of(namespace);
    nsp.use((socket, next) => this.#connect(socket as AnySocket, next));
    nsp.on("connection", this.#onConnection);
  }

  #context(
    socket: AnySocket,
    event: string,
    args: readonly unknown[],
    connecting: boolean,
  ): HandlerContext {
    return {
      app: this.#app,
      socket,
      namespace: socket.nsp.name,
      event,
      args,
      connecting,
      refused: false,
      pending: [],
    };
  }

  /** Runs the `connect` handler, then accepts (sending what it emitted first) or refuses. */
  #connect(socket: AnySocket, next: (err?: Error) => void): void {
    const handler = this.#handlers.get(socket.nsp.name)?.get("connect");
    if (handler === undefined) {
      next();
      return;
    }
    const auth = socket.handshake.auth;
    const ctx = this.#context(socket, "connect", [auth], true);
    const accept = (value: unknown): void => {
      ctx.connecting = false;
      if (value === false || ctx.refused) {
        this.log?.(`${ctx.namespace} ${socket.id} refused by the connect handler`);
        next(new ConnectionRefusedError());
        return;
      }
      flushPending(socket, ctx.pending);
      next();
    };
    const refuse = (err: unknown): void => {
      ctx.connecting = false;
      if (err instanceof ConnectionRefusedError) {
        this.log?.(`${ctx.namespace} ${socket.id} refused: ${err.message}`);
        next(err);
        return;
      }
      // An unexpected error refuses the client without telling it why.
      this.#fail(ctx, err, () => {});
      next(new ConnectionRefusedError());
    };
    this.#run(ctx, handler, [auth], accept, refuse);
  }

  #dispatch(socket: AnySocket, event: string, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === "function" ? (args.pop() as (...a: unknown[]) => void) : undefined;
    const map = this.#handlers.get(socket.nsp.name);
    // A client may name an event "*": it reaches the catch-all as any other name would.
    let handler = event === "*" ? undefined : map?.get(event);
    let callArgs = args;
    if (handler === undefined) {
      handler = map?.get("*");
      callArgs = [event, ...args];
    }
    if (handler === undefined) {
      this.log?.(`${socket.nsp.name} ${socket.id} sent "${event}", which has no handler`);
      return;
    }
    this.log?.(`${socket.nsp.name} ${socket.id} sent "${event}"`);
    const ctx = this.#context(socket, event, args, false);
    const answer =
      ack === undefined
        ? noop
        : (value: unknown): void => (value === undefined ? ack() : ack(value));
    this.#run(ctx, handler, callArgs, answer, (err) => this.#fail(ctx, err, answer));
  }

  #disconnected(socket: AnySocket, reason: DisconnectReason): void {
    this.log?.(`${socket.nsp.name} ${socket.id} disconnected (${reason})`);
    const handler = this.#handlers.get(socket.nsp.name)?.get("disconnect");
    if (handler === undefined) return;
    const ctx = this.#context(socket, "disconnect", [reason], false);
    this.#run(ctx, handler, [reason], noop, (err) => this.#fail(ctx, err, noop));
  }

  /** Calls `fn` in `ctx`; `done` gets its (awaited) value, `failed` what it throws. */
  #run(
    ctx: HandlerContext,
    fn: (...args: never[]) => unknown,
    args: unknown[],
    done: (value: unknown) => void,
    failed: (err: unknown) => void,
  ): void {
    let result: unknown;
    try {
      result = handlerContext.run(ctx, fn as (...a: unknown[]) => unknown, ...args);
    } catch (err) {
      failed(err);
      return;
    }
    if (!isThenable(result)) {
      settle(done, result, failed);
      return;
    }
    result.then(
      (value) => settle(done, value, failed),
      (err: unknown) => failed(err),
    );
  }

  /** Hands `err` to the error handler of the context's namespace (or the default one). */
  #fail(ctx: HandlerContext, err: unknown, answer: (value: unknown) => void): void {
    if (this.closing && isAbortError(err)) return;
    const handler = this.#errorHandlers.get(ctx.namespace) ?? this.#defaultErrorHandler;
    if (handler === null) {
      console.error(`pushwire: the "${ctx.event}" handler on ${ctx.namespace} failed:`, err);
      return;
    }
    this.#run(ctx, handler, [err], answer, (e) =>
      console.error(
        `pushwire: the error handler of ${ctx.namespace} failed:`,
        e,
        "while handling",
        err,
      ),
    );
  }
}

function noop(): void {}

/** Calls `done(value)`; what `done` throws (an encoding error) goes to `failed`. */
function settle(
  done: (value: unknown) => void,
  value: unknown,
  failed: (err: unknown) => void,
): void {
  try {
    done(value);
  } catch (err) {
    failed(err);
  }
}

/**
 * Sends what the `connect` handler emitted to its client, before the CONNECT answer
 * (as python-socketio does; clients hold events that precede it, then deliver them
 * before `connect`). The socket is not in its namespace yet, so the packets go to its
 * connection directly.
 */
function flushPending(socket: AnySocket, pending: readonly PendingEmit[]): void {
  if (pending.length === 0) return;
  const client = socket.client as SocketClient;
  for (const emit of pending) {
    const packet: Packet = {
      type: PacketType.EVENT,
      nsp: socket.nsp.name,
      data: [emit.event, ...emit.args],
      id: undefined,
    };
    if (emit.callback !== undefined) {
      const id = socket.nsp.nextAckId();
      if (socket.expectAck(id, emit.callback)) packet.id = id;
    }
    client._packet(packet, writeFlags(false, true));
  }
}
