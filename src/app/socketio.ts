/**
 * `SocketIO`: the Flask-SocketIO-style face of pushwire. A thin layer over the
 * socket.io-compatible {@link Server} (`socketio.server`), never a second engine:
 * handlers registered by event name and namespace, context functions that know the
 * current client, background tasks, `run()`, and an in-process test client.
 *
 * @module
 */
import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { Server as NetServer } from "node:net";
import type { Room } from "../adapter/contract.js";
import type { RedisMessageQueue } from "../adapter/redis/url.js";
import { PushwireError } from "../errors.js";
import type { EngineConnection } from "../engine/connection.js";
import { Server } from "../server/server.js";
import type { SocketIOTestClient, TestClientOptions } from "../testing/test-client.js";
import { handlerContext, type AppCore, type CallOptions, type HandlerContext } from "./context.js";
import { Dispatcher, type ErrorHandler, type EventHandler } from "./dispatch.js";
import { handlerMethods, type SocketIONamespace } from "./namespace-class.js";
import {
  checkEmitOptions,
  splitEmitOptions,
  type App,
  type EmitOptions,
  type LogOption,
  type RunAddress,
  type RunOptions,
  type SocketIOOptions,
} from "./options.js";
import { startTask, sleepFor, taskSignal, type BackgroundTask } from "./tasks.js";
import { runApp } from "./serve.js";
import { namespaceOf, Targets } from "./targets.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- handlers take whatever the client sent */
/** A named function, for {@link SocketIO.event}. */
type NamedHandler = (...args: any[]) => unknown;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Options of {@link SocketIO.on}. */
export interface OnOptions {
  /** The namespace. Default `/`. */
  namespace?: string;
}

const FACE_KEYS = ["logger", "engineioLogger", "messageQueue", "writeOnly", "channel"] as const;

function isHttpServer(value: unknown): value is HttpServer | HttpsServer {
  // Not "has listen()": a Koa app has one too.
  return value instanceof NetServer;
}

function isApp(value: unknown): value is App {
  return (
    typeof value === "function" ||
    (typeof value === "object" &&
      value !== null &&
      typeof (value as { callback?: unknown }).callback === "function")
  );
}

/** A log writer from a `LogOption`, prefixed with `prefix`. @internal */
export function writerOf(
  option: LogOption | undefined,
  prefix: string,
): ((line: string) => void) | null {
  if (option === undefined || option === false) return null;
  if (option === true) return (line) => process.stdout.write(`${prefix}${line}\n`);
  return (line) => option(`${prefix}${line}`);
}

/**
 * A realtime app, as Flask-SocketIO's `SocketIO`.
 *
 * @example
 * ```ts
 * import { SocketIO, emit, send } from "pushwire";
 *
 * const socketio = new SocketIO({ cors: "*" });
 * socketio.on("connect", () => emit("server_response", { data: "connected" }), { namespace: "/test_conn" });
 * socketio.on("message", (msg) => send(msg), { namespace: "/test_conn" });
 * await socketio.run(undefined, { port: 5000 });
 * ```
 */
export class SocketIO implements AppCore {
  /** The socket.io-compatible server underneath (Flask-SocketIO's `socketio.server`). */
  readonly server: Server;
  /** The options as given. */
  readonly options: SocketIOOptions;
  /**
   * Settles when the app can serve: at once, or once the `messageQueue` module is
   * loaded. Rejects with `PW_ERR_APP_MESSAGE_QUEUE` when it cannot be set up.
   */
  readonly ready: Promise<this>;
  /** The app given to the constructor, served by `run()` when it is given none. */
  app: App | undefined;
  /** @internal */
  readonly _dispatcher: Dispatcher;
  readonly #targets: Targets;
  readonly #writeOnly: boolean;
  readonly #tasks = new Set<BackgroundTask>();
  readonly #closed = new AbortController();
  readonly #engineLog: ((line: string) => void) | null;
  #queue: RedisMessageQueue | null = null;
  #httpServer: HttpServer | HttpsServer | undefined;
  #watchedEngine: unknown = null;
  #closing: Promise<void> | null = null;
  #testingLoaded = false;
  #removeSignalHandlers: (() => void) | null = null;

  constructor(options?: SocketIOOptions);
  constructor(app: App | HttpServer | HttpsServer | undefined, options?: SocketIOOptions);
  constructor(
    appOrOptions?: App | HttpServer | HttpsServer | SocketIOOptions,
    options?: SocketIOOptions,
  ) {
    let opts: SocketIOOptions = options ?? {};
    if (isHttpServer(appOrOptions)) this.#httpServer = appOrOptions;
    else if (isApp(appOrOptions)) this.app = appOrOptions;
    else if (appOrOptions !== undefined && options === undefined) opts = appOrOptions;
    this.options = opts;
    const serverOptions: Record<string, unknown> = { ...opts };
    for (const key of FACE_KEYS) delete serverOptions[key];
    this.server = new Server(serverOptions);
    this.#writeOnly = opts.writeOnly === true;
    if (this.#writeOnly && opts.messageQueue === undefined) {
      throw new PushwireError("PW_ERR_APP_INVALID_OPTION", "writeOnly needs a messageQueue");
    }
    this._dispatcher = new Dispatcher(this, this.server);
    this._dispatcher.log = writerOf(opts.logger, "socketio: ");
    this.#engineLog = writerOf(opts.engineioLogger, "engineio: ");
    this.ready =
      opts.messageQueue === undefined
        ? Promise.resolve(this)
        : this.#setUpQueue(opts.messageQueue, opts.channel);
    this.ready.catch(() => {});
    this.#targets = new Targets(
      this.server,
      this.#writeOnly,
      () => this.#queue,
      this.ready,
      () => this._dispatcher.log,
    );
    if (this.#httpServer !== undefined && !this.#writeOnly) this._attach(this.#httpServer);
  }

  async #setUpQueue(url: string, channel: string | undefined): Promise<this> {
    try {
      const { redisMessageQueue } = await import("../adapter/redis/index.js");
      const queue = redisMessageQueue(url, channel === undefined ? {} : { key: channel });
      this.#queue = queue;
      if (!this.#writeOnly) this.server.adapter(queue.adapter);
      return this;
    } catch (err) {
      throw new PushwireError(
        "PW_ERR_APP_MESSAGE_QUEUE",
        `the message queue ${url} could not be set up: ${(err as Error).message}`,
        err,
      );
    }
  }

  // ---- handlers ----

  /**
   * Handles `event` on a namespace. `connect` receives the client's `auth` (return
   * `false` or throw `ConnectionRefusedError` to refuse it), `disconnect` the reason,
   * `*` every event without a handler of its own (`(event, ...args)`); any other
   * event its arguments. The return value (or resolved promise) answers the client's
   * acknowledgement.
   *
   * @example
   * ```ts
   * socketio.on("my_event", (data) => {
   *   emit("my_response", data);
   *   return "got it"; // the acknowledgement
   * }, { namespace: "/test_conn" });
   * ```
   */
  on(event: "connect", handler: (auth: Record<string, unknown>) => unknown, opts?: OnOptions): this;
  on(event: "disconnect", handler: (reason: string) => unknown, opts?: OnOptions): this;
  on(event: string, handler: EventHandler, opts?: OnOptions): this;
  on(event: string, handler: EventHandler, opts: OnOptions = {}): this {
    if (typeof event !== "string" || event === "") {
      throw new PushwireError(
        "PW_ERR_APP_INVALID_HANDLER",
        "the event name must be a non-empty string",
      );
    }
    if (typeof handler !== "function") {
      throw new PushwireError(
        "PW_ERR_APP_INVALID_HANDLER",
        `the handler of "${event}" is not a function`,
      );
    }
    this.#notWriteOnly("on()");
    this._dispatcher.on(namespaceOf(opts.namespace), event, handler);
    return this;
  }

  /**
   * Handles events named after the functions given (Flask-SocketIO's `@socketio.event`):
   * a named function, or an object of them.
   *
   * @example
   * ```ts
   * socketio.event(function my_event(data) { emit("my_response", data); });
   * socketio.event({ join(room) { joinRoom(room); }, leave(room) { leaveRoom(room); } }, { namespace: "/chat" });
   * ```
   */
  event(handlers: NamedHandler | Record<string, NamedHandler>, opts: OnOptions = {}): this {
    if (typeof handlers === "function") {
      if (handlers.name === "") {
        throw new PushwireError(
          "PW_ERR_APP_INVALID_HANDLER",
          "event() needs a named function (its name is the event)",
        );
      }
      return this.on(handlers.name, handlers, opts);
    }
    for (const [name, handler] of Object.entries(handlers)) this.on(name, handler, opts);
    return this;
  }

  /**
   * Same as {@link on}, with Flask-SocketIO's `on_event(message, handler, namespace)` signature.
   *
   * @example
   * ```ts
   * socketio.onEvent("my_event", handleMyEvent, "/test_conn");
   * ```
   */
  onEvent(event: string, handler: EventHandler, namespace?: string): this {
    return this.on(event, handler, { namespace });
  }

  /**
   * Registers a class-based namespace: its `onConnect`, `onDisconnect` and `on<Event>`
   * methods handle `connect`, `disconnect` and `<event>` (camelCase to snake_case:
   * `onMyEvent` handles `my_event`), unless its `events` map says otherwise.
   *
   * @example
   * ```ts
   * class Chat extends SocketIONamespace {
   *   onMyEvent(data: unknown) { this.emit("my_response", data); }
   * }
   * socketio.onNamespace(new Chat("/chat"));
   * ```
   */
  onNamespace(instance: SocketIONamespace): this {
    const methods = handlerMethods(instance);
    instance._app = this;
    const target = instance as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const [event, method] of methods) {
      this.on(event, (...args: unknown[]) => target[method]!(...args), {
        namespace: instance.namespace,
      });
    }
    return this;
  }

  /**
   * Handles errors thrown (or rejected) by the handlers of `namespace` (default `/`).
   * It runs in the failed handler's context (`request.event` says which); its return
   * value answers the client's acknowledgement.
   *
   * @example
   * ```ts
   * socketio.onError("/chat", (err) => {
   *   console.error(request.event, err);
   *   return { error: String(err) };
   * });
   * ```
   */
  onError(handler: ErrorHandler): this;
  onError(namespace: string, handler: ErrorHandler): this;
  onError(namespaceOrHandler: string | ErrorHandler, handler?: ErrorHandler): this {
    const [namespace, fn] =
      typeof namespaceOrHandler === "function"
        ? ["/", namespaceOrHandler]
        : [namespaceOrHandler, handler];
    if (typeof fn !== "function")
      throw new PushwireError("PW_ERR_APP_INVALID_HANDLER", "the error handler is not a function");
    this._dispatcher.onError(namespaceOf(namespace), fn);
    return this;
  }

  /**
   * Handles errors of every namespace without an error handler of its own, and of
   * background tasks.
   *
   * @example
   * ```ts
   * socketio.onErrorDefault((err) => report(err));
   * ```
   */
  onErrorDefault(handler: ErrorHandler): this {
    if (typeof handler !== "function")
      throw new PushwireError("PW_ERR_APP_INVALID_HANDLER", "the error handler is not a function");
    this._dispatcher.onErrorDefault(handler);
    return this;
  }

  /**
   * Whether `event` has a handler on `namespace` (a catch-all `*` counts).
   *
   * @example
   * ```ts
   * socketio.hasHandler("my_event", "/test_conn"); // true
   * ```
   */
  hasHandler(event: string, namespace = "/"): boolean {
    return this._dispatcher.has(event, namespace);
  }

  // ---- emitting ----

  /**
   * Sends an event to every client of a namespace (`/` unless `namespace` says), or to
   * those `to` names. Options come last, as for `emit`.
   *
   * @example
   * ```ts
   * socketio.emit("server_response", { data: "tick" }, { namespace: "/test_conn" });
   * socketio.emit("news", item, { to: "room1", namespace: "/feed" });
   * ```
   */
  emit(event: string, ...args: unknown[]): void {
    const { data, opts } = splitEmitOptions(args);
    this.#targets.emitTo(handlerContext.getStore() ?? null, false, event, data, opts);
  }

  /**
   * Sends an unnamed message (`message` event) to every client of a namespace, or to those `to` names.
   *
   * @example
   * ```ts
   * socketio.send("hello everyone");
   * ```
   */
  send(data: unknown, opts: EmitOptions = {}): void {
    this.#targets.emitTo(
      handlerContext.getStore() ?? null,
      false,
      "message",
      [data],
      checkEmitOptions(opts),
    );
  }

  /**
   * Sends `event` (with `data`) to one client and resolves with its acknowledgement:
   * the value it answered, an array if several, `undefined` if none. Inside a handler,
   * `to` defaults to the current client.
   *
   * @throws PushwireError (rejects) `PW_ERR_ACK_TIMEOUT` after `timeout` (default 60 s),
   *   `PW_ERR_APP_NO_SUCH_CLIENT` when no such client is connected.
   * @example
   * ```ts
   * const answer = await socketio.call("are_you_there", null, { to: sid, timeout: 5000 });
   * ```
   */
  call(event: string, data?: unknown, opts: CallOptions = {}): Promise<unknown> {
    return this.#targets.call(handlerContext.getStore() ?? null, event, data, opts);
  }

  /**
   * Empties a room of a namespace: every client in it leaves.
   *
   * @example
   * ```ts
   * socketio.closeRoom("game-42", "/games");
   * ```
   */
  closeRoom(room: Room, namespace = "/"): void {
    this.#targets.closeRoom(room, namespaceOf(namespace));
  }

  /** @internal */
  _emit(ctx: HandlerContext | null, event: string, data: unknown[], opts: EmitOptions): void {
    this.#targets.emitTo(ctx, ctx !== null, event, data, opts);
  }

  /** @internal */
  _call(
    ctx: HandlerContext | null,
    event: string,
    data: unknown,
    opts: CallOptions,
  ): Promise<unknown> {
    return this.#targets.call(ctx, event, data, opts);
  }

  // ---- background tasks ----

  /**
   * Starts `fn(signal, ...args)` in the background, outside any handler's context. The
   * signal aborts when the task is stopped or the app closes; what `fn` throws is
   * reported to the default error handler (else `console.error`), never fatal.
   *
   * @throws PushwireError `PW_ERR_APP_CLOSED` after `close()`.
   * @example
   * ```ts
   * socketio.startBackgroundTask(async (signal) => {
   *   for (let n = 1; !signal.aborted; n++) {
   *     await socketio.sleep(1);
   *     socketio.emit("server_response", { data: `tick ${n}` }, { namespace: "/test_conn" });
   *   }
   * });
   * ```
   */
  startBackgroundTask<A extends unknown[]>(
    fn: (signal: AbortSignal, ...args: A) => unknown,
    ...args: A
  ): BackgroundTask {
    if (this.#closed.signal.aborted) throw new PushwireError("PW_ERR_APP_CLOSED");
    if (typeof fn !== "function")
      throw new PushwireError("PW_ERR_APP_INVALID_HANDLER", "the task is not a function");
    const task = startTask(
      fn,
      args,
      (err) => this._dispatcher.report(err, "a background task"),
      (ended) => this.#tasks.delete(ended),
    );
    this.#tasks.add(task);
    return task;
  }

  /**
   * Resolves after `seconds`. Rejects with an AbortError when `signal` aborts, when the
   * background task it runs in is stopped, or when the app closes: a task's loop ends
   * at its sleep.
   *
   * @example
   * ```ts
   * await socketio.sleep(0.5);
   * ```
   */
  sleep(seconds: number, signal?: AbortSignal): Promise<void> {
    return sleepFor(seconds, [signal, taskSignal.getStore(), this.#closed.signal]);
  }

  // ---- serving ----

  /**
   * Serves the app (any Node request listener, or the one given to the constructor)
   * and the realtime endpoint on one HTTP server, with `staticDir`'s files in front;
   * resolves with the address once listening. With `debug`, logs verbosely and (in a
   * supervisor process that never resolves) restarts the program when its files
   * change. SIGINT/SIGTERM stop it gracefully.
   *
   * @throws PushwireError `PW_ERR_APP_WRITE_ONLY`, `PW_ERR_APP_CLOSED`; the listen
   *   error (`EADDRINUSE`, ...) as Node gives it.
   * @example
   * ```ts
   * const { url } = await socketio.run(app, { host: "127.0.0.1", port: 5000 });
   * console.log(`open ${url}`);
   * ```
   */
  run(app?: App, opts: RunOptions = {}): Promise<RunAddress> {
    return runApp(this, app ?? this.app, opts);
  }

  /** The HTTP server given to the constructor or created by `run()`. @internal */
  get _httpServer(): HttpServer | HttpsServer | undefined {
    return this.#httpServer;
  }

  /** Attaches the realtime endpoint to `httpServer`. @internal */
  _attach(httpServer: HttpServer | HttpsServer): void {
    this.#httpServer = httpServer;
    if (this.server.httpServer !== httpServer) this.server.attach(httpServer);
    this.#watchEngine(this.#engineLog);
  }

  /** Turns on the verbose logs of `debug`. @internal */
  _debugLogs(): void {
    this._dispatcher.log ??= writerOf(true, "socketio: ");
    this.#watchEngine(this.#engineLog ?? writerOf(true, "engineio: "));
  }

  /** Sets the function that removes run()'s signal handlers. @internal */
  _onSignalsHandled(remove: () => void): void {
    this.#removeSignalHandlers = remove;
  }

  /** Stops the tasks (a reloader's supervisor serves nothing). @internal */
  _stopTasks(): void {
    for (const task of this.#tasks) task.stop();
  }

  /** Whether it was closed. @internal */
  get _isClosed(): boolean {
    return this.#closed.signal.aborted;
  }

  /** Whether it only emits through the message queue. @internal */
  get _writeOnly(): boolean {
    return this.#writeOnly;
  }

  #watchEngine(log: ((line: string) => void) | null): void {
    const engine = this.server.engine as typeof this.server.engine | undefined;
    if (log === null || engine === undefined || this.#watchedEngine === engine) return;
    this.#watchedEngine = engine;
    engine.on("connection", (conn: EngineConnection) => {
      // The Engine.IO sid is a bearer secret: never logged.
      log(`session opened from ${conn.request.remoteAddress} over ${conn.transportName}`);
      const session = conn as EngineConnection & {
        on?(event: string, fn: (...a: unknown[]) => void): void;
      };
      session.on?.("upgrade", () =>
        log(`session from ${conn.request.remoteAddress} upgraded to ${conn.transportName}`),
      );
      session.on?.("close", (reason) =>
        log(`session from ${conn.request.remoteAddress} closed (${String(reason)})`),
      );
    });
    engine.on("connection_error", (err: { req: { url?: string }; code: number; message: string }) =>
      log(`refused ${err.req.url ?? "?"}: ${err.message} (code ${err.code})`),
    );
  }

  // ---- testing and closing ----

  /**
   * An in-process test client (`pushwire/testing`), connected once the promise
   * resolves: the real client over a loopback transport, no network.
   *
   * @example
   * ```ts
   * const client = await socketio.testClient({ namespace: "/test_conn" });
   * expect(client.getReceived()[0]).toEqual({ name: "server_response", args: [{ data: "connected" }], namespace: "/test_conn" });
   * expect(await client.emit("my_event", { data: "hi" })).toBeUndefined();
   * ```
   */
  async testClient(opts: TestClientOptions = {}): Promise<SocketIOTestClient> {
    this.#notWriteOnly("testClient()");
    if (this.#closed.signal.aborted) throw new PushwireError("PW_ERR_APP_CLOSED");
    await this.ready;
    const { SocketIOTestClient } = await import("../testing/test-client.js");
    this.#testingLoaded = true;
    return new SocketIOTestClient(this, opts).ready;
  }

  /**
   * Refuses new clients at once (HTTP 503), stops the background tasks (and waits for
   * them), then closes every connection after what was queued for it (clients see their
   * transport close and may reconnect to the next server), the HTTP server, and the
   * message queue.
   *
   * @example
   * ```ts
   * await socketio.close();
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this._dispatcher.closing = true;
    // New clients are refused (503) while the tasks wind down, not only once they have.
    this.server._stopAccepting();
    this.#closed.abort();
    const tasks = [...this.#tasks];
    for (const task of tasks) task.stop();
    await Promise.all(tasks.map((task) => task.done));
    await this.server.close();
    if (this.#testingLoaded)
      await (await import("../testing/loopback.js")).closeLoopbacks(this.server);
    await this.#queue?.close();
    this.#removeSignalHandlers?.();
    this.#removeSignalHandlers = null;
  }

  #notWriteOnly(what: string): void {
    if (this.#writeOnly) {
      throw new PushwireError(
        "PW_ERR_APP_WRITE_ONLY",
        `${what} is not available on a write-only SocketIO (it has no clients)`,
      );
    }
  }
}
