/**
 * The test client: pushwire's own client over an in-process loopback transport, with
 * Flask-SocketIO's test client API (`emit`, `send`, `getReceived`, `isConnected`,
 * `connect`, `disconnect`). No port is opened; the server under test is the real one.
 *
 * @module
 */
import type { Engine } from "../client/engine.js";
import { Manager } from "../client/manager.js";
import type { Socket as ClientSocket } from "../client/socket.js";
import { PushwireError } from "../errors.js";
import type { Namespace } from "../server/namespace.js";
import { Server } from "../server/server.js";
import type { Socket as ServerSocket } from "../server/socket.js";
import {
  loopbacksBusy,
  loopbackTransport,
  type LoopbackConnection,
  type LoopbackTransport,
} from "./loopback.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- namespaces and sockets of any event maps */
type AnyNamespace = Namespace<any, any, any, any>;
type AnyServerSocket = ServerSocket<any, any, any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** One event the test client received. */
export interface ReceivedEvent {
  /** The event name (`message` for what the server sent with `send`). */
  name: string;
  /** Its arguments, always as an array (Flask-SocketIO gives `send`'s data bare). */
  args: unknown[];
  /** The namespace it arrived on. */
  namespace: string;
}

/** Why the server refused a namespace: the CONNECT_ERROR's message and data. */
export interface ConnectRefusal {
  message: string;
  data: unknown;
}

/** Options of {@link SocketIOTestClient}. */
export interface TestClientOptions {
  /** The namespace to connect first, and the default of every method. Default `/`. */
  namespace?: string;
  /** The `auth` payload of that first CONNECT. */
  auth?: Record<string, unknown>;
  /** Headers of the opening request (`request.headers`, `socket.handshake.headers`). */
  headers?: Record<string, string>;
  /** Query parameters of the opening request (`socket.handshake.query`). */
  query?: Record<string, string>;
  /**
   * How long `emit` waits for the acknowledgement of an event the server handles, in
   * ms, before it rejects with `PW_ERR_ACK_TIMEOUT`. Default 5000.
   */
  ackTimeout?: number;
}

/**
 * What a test client can be pointed at: a `Server`, or an app that has one (the
 * Flask-style `SocketIO`), which may say which events it handles so that `emit` knows
 * whether an acknowledgement will come.
 */
export interface TestClientTarget {
  readonly server: Server;
  /** Whether the app handles `event` on `namespace` (and so answers an acknowledgement). */
  hasHandler?(event: string, namespace: string): boolean;
}

/** A handler of events the server sends: its return value answers a server's `call`. */
export type TestClientHandler = (...args: unknown[]) => unknown;

const ORIGIN = "http://localhost";

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Splits a trailing `{ namespace }` options object off `args`. */
function splitNamespace(args: unknown[]): { data: unknown[]; namespace: string | undefined } {
  const last = args[args.length - 1];
  if (
    typeof last === "object" &&
    last !== null &&
    Object.getPrototypeOf(last) === Object.prototype &&
    Object.keys(last).length === 1 &&
    typeof (last as { namespace?: unknown }).namespace === "string"
  ) {
    return { data: args.slice(0, -1), namespace: (last as { namespace: string }).namespace };
  }
  return { data: args, namespace: undefined };
}

/**
 * An in-process client of a server, for tests. `SocketIO.close()` closes the test
 * clients of its server; with a plain `Server`, close them (`close()`) before it.
 *
 * @example
 * ```ts
 * import { SocketIOTestClient } from "pushwire/testing";
 *
 * const client = await new SocketIOTestClient(socketio, { namespace: "/chat" }).ready;
 * expect(client.getReceived()).toEqual([
 *   { name: "server_response", args: [{ data: "connected" }], namespace: "/chat" },
 * ]);
 * expect(await client.emit("sum", 1, 2)).toBe(3);
 * await client.disconnect();
 * ```
 */
export class SocketIOTestClient {
  /** The server under test. */
  readonly server: Server;
  /** Settles once the first namespace is connected (or refused: see {@link isConnected}). */
  readonly ready: Promise<this>;
  readonly #namespace: string;
  readonly #manager: Manager;
  readonly #ackTimeout: number;
  readonly #hasHandler: ((event: string, namespace: string) => boolean) | undefined;
  readonly #sockets = new Map<string, ClientSocket>();
  readonly #refusals = new Map<string, ConnectRefusal>();
  readonly #handlers = new Map<string, TestClientHandler>();
  #received: ReceivedEvent[] = [];

  constructor(target: Server | TestClientTarget, opts: TestClientOptions = {}) {
    this.server = target instanceof Server ? target : target.server;
    this.#hasHandler =
      target instanceof Server ? undefined : (target.hasHandler?.bind(target) ?? undefined);
    this.#namespace = opts.namespace ?? "/";
    this.#ackTimeout = opts.ackTimeout ?? 5000;
    this.#manager = new Manager(ORIGIN, {
      path: this.server.path(),
      transports: [loopbackTransport(this.server)],
      query: opts.query ?? {},
      extraHeaders: opts.headers ?? {},
      autoConnect: false,
      reconnection: false,
      timeout: false,
      autoUnref: true,
    });
    const auth = opts.auth === undefined ? {} : { auth: opts.auth };
    this.ready = this.connect(this.#namespace, auth).then(() => this);
  }

  /**
   * Connects to `namespace` (again). Resolves once the server answered: connected,
   * with what its `connect` handler emitted already in {@link getReceived}, or refused
   * (then {@link isConnected} is false and {@link connectError} says why).
   *
   * @example
   * ```ts
   * await client.connect("/admin", { auth: { token: "t" } });
   * expect(client.isConnected("/admin")).toBe(true);
   * ```
   */
  connect(
    namespace = this.#namespace,
    opts: { auth?: Record<string, unknown> } = {},
  ): Promise<void> {
    let socket = this.#sockets.get(namespace);
    if (socket?.connected === true) return Promise.resolve();
    if (socket === undefined) {
      socket = this.#manager.socket(namespace, opts.auth === undefined ? {} : { auth: opts.auth });
      this.#sockets.set(namespace, socket);
      const record = (event: string, ...args: unknown[]): void =>
        this.#record(namespace, event, args);
      socket.onAny(record);
    } else if (opts.auth !== undefined) socket.auth = opts.auth;
    this.#refusals.delete(namespace);
    const s = socket;
    return new Promise<void>((resolve) => {
      // Resolves once the server has announced the socket (its `connection` listeners
      // ran) and what they sent has arrived; or at once on a refusal.
      let watched: AnyNamespace | undefined;
      let announced: string | null = null;
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        s.off("connect", onConnect);
        s.off("connect_error", onError);
        s.off("disconnect", onDisconnect);
        watched?.off("connection", onAnnounce);
        void this.#settle().then(resolve);
      };
      const watch = (): void => {
        watched = this.server._nsps.get(namespace);
        watched?.on("connection", onAnnounce);
      };
      const onAnnounce = (socket: AnyServerSocket): void => {
        if (socket.conn !== this.#conn()) return;
        announced = socket.id;
        if (s.connected && s.id === announced) finish();
      };
      const onConnect = (): void => {
        if (watched === undefined) watch(); // a dynamic namespace, created by this CONNECT
        if (watched === undefined || announced === s.id) finish();
      };
      const onError = (err: Error & { data?: unknown }): void => {
        this.#refusals.set(namespace, { message: err.message, data: err.data });
        finish();
      };
      const onDisconnect = (): void => finish();
      watch();
      s.on("connect", onConnect);
      s.on("connect_error", onError);
      s.on("disconnect", onDisconnect);
      s.connect();
    });
  }

  /**
   * Sends an event and resolves with the server's acknowledgement: `undefined` when it
   * sent no value, the value when it sent one, an array when it sent several. An event
   * the app has no handler for resolves with `undefined` once the server has read it.
   * A trailing `{ namespace }` object picks the namespace.
   *
   * @throws PushwireError `PW_ERR_TESTING_NOT_CONNECTED` (rejects) when not connected
   *   to that namespace; `PW_ERR_ACK_TIMEOUT` when a handler never answers.
   * @example
   * ```ts
   * const answer = await client.emit("my_event", { data: "hi" });
   * await client.emit("join", "room1", { namespace: "/chat" });
   * ```
   */
  async emit(event: string, ...args: unknown[]): Promise<unknown> {
    const { data, namespace = this.#namespace } = splitNamespace(args);
    const socket = this.#connected(namespace);
    if (!this.#handles(event, namespace, socket.id)) {
      socket.emit(event, ...data);
      await this.#idle();
      return undefined;
    }
    const values = await new Promise<unknown[]>((resolve, reject) => {
      socket
        .timeout(this.#ackTimeout)
        .emit(event, ...data, (err: Error | null, ...res: unknown[]) =>
          err ? reject(err) : resolve(res),
        );
    });
    await this.#settle();
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  }

  /**
   * Sends an unnamed message (the `message` event), as `emit("message", data)`.
   *
   * @example
   * ```ts
   * await client.send("hello");
   * expect(client.getReceived()).toEqual([{ name: "message", args: ["hello"], namespace: "/" }]);
   * ```
   */
  send(data: unknown, opts: { namespace?: string } = {}): Promise<unknown> {
    return opts.namespace === undefined
      ? this.emit("message", data)
      : this.emit("message", data, { namespace: opts.namespace });
  }

  /**
   * The events received on `namespace` since the last call, oldest first; they are
   * removed from the list (events of other namespaces stay).
   *
   * @example
   * ```ts
   * const [first] = client.getReceived("/chat");
   * ```
   */
  getReceived(namespace = this.#namespace): ReceivedEvent[] {
    const mine = this.#received.filter((r) => r.namespace === namespace);
    this.#received = this.#received.filter((r) => r.namespace !== namespace);
    return mine;
  }

  /**
   * Whether the client is connected to `namespace`.
   *
   * @example
   * ```ts
   * expect(client.isConnected()).toBe(false); // refused by the connect handler
   * ```
   */
  isConnected(namespace = this.#namespace): boolean {
    return this.#sockets.get(namespace)?.connected === true;
  }

  /**
   * Why the server refused the last connection to `namespace`, if it did.
   *
   * @example
   * ```ts
   * expect(client.connectError()).toEqual({ message: "not authorized", data: { retry: false } });
   * ```
   */
  connectError(namespace = this.#namespace): ConnectRefusal | undefined {
    return this.#refusals.get(namespace);
  }

  /**
   * The socket id the server gave on `namespace` (`request.sid` in its handlers).
   *
   * @example
   * ```ts
   * await socketio.call("ping", null, { to: client.sid() });
   * ```
   */
  sid(namespace = this.#namespace): string | undefined {
    return this.#sockets.get(namespace)?.id;
  }

  /**
   * Handles an event the server sends: the handler's return value (or resolved
   * promise) answers an acknowledgement the server asked for (`socketio.call`). Every
   * event is also listed by {@link getReceived}.
   *
   * @example
   * ```ts
   * client.on("question", (q) => 42);
   * expect(await socketio.call("question", "?", { to: client.sid() })).toBe(42);
   * ```
   */
  on(event: string, handler: TestClientHandler, opts: { namespace?: string } = {}): this {
    this.#handlers.set(`${opts.namespace ?? this.#namespace}\n${event}`, handler);
    return this;
  }

  /**
   * Disconnects from `namespace` and resolves once the server has processed it. The
   * connection closes when no namespace is left.
   *
   * @example
   * ```ts
   * await client.disconnect();
   * ```
   */
  async disconnect(namespace = this.#namespace): Promise<void> {
    const socket = this.#sockets.get(namespace);
    if (socket === undefined || !socket.active) return;
    socket.disconnect();
    await this.#idle();
  }

  /**
   * Disconnects from every namespace and closes the connection.
   *
   * @example
   * ```ts
   * afterEach(() => client.close());
   * ```
   */
  async close(): Promise<void> {
    for (const socket of this.#sockets.values()) if (socket.active) socket.disconnect();
    await this.#idle();
    this.#manager._close();
  }

  /** The server's end of the current loopback session. */
  #conn(): LoopbackConnection | null {
    const transport = this.#manager.engine?.transport as unknown as LoopbackTransport | undefined;
    return transport?.conn ?? null;
  }

  #connected(namespace: string): ClientSocket {
    const socket = this.#sockets.get(namespace);
    if (socket?.connected !== true) {
      throw new PushwireError(
        "PW_ERR_TESTING_NOT_CONNECTED",
        `the test client is not connected to ${namespace}`,
      );
    }
    return socket;
  }

  /** Whether the server will answer an acknowledgement for `event`. */
  #handles(event: string, namespace: string, sid: string | undefined): boolean {
    if (this.#hasHandler !== undefined) return this.#hasHandler(event, namespace);
    const socket =
      sid === undefined ? undefined : this.server._nsps.get(namespace)?.sockets.get(sid);
    if (socket === undefined) return true;
    return socket.listenerCount(event) > 0 || socket.listenersAny().length > 0;
  }

  #record(namespace: string, event: string, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === "function" ? (args.pop() as (...a: unknown[]) => void) : undefined;
    this.#received.push({ name: event, args, namespace });
    const handler = this.#handlers.get(`${namespace}\n${event}`);
    if (handler === undefined) return;
    Promise.resolve()
      .then(() => handler(...args))
      .then(
        (value) => ack?.(...(value === undefined ? [] : [value])),
        (err: unknown) => console.error("pushwire/testing: a test client handler failed:", err),
      );
  }

  /**
   * Resolves after the next turn, once what the server sent meanwhile has reached
   * every test client of this server (a broadcast included).
   */
  async #settle(): Promise<void> {
    await nextTurn();
    while (loopbacksBusy(this.server)) await nextTurn();
  }

  /** Resolves once everything this client sent (a close included) has reached the server. */
  async #idle(): Promise<void> {
    for (;;) {
      await nextTurn();
      const engine = this.#manager.engine as Engine | undefined;
      if (engine === undefined) return;
      const transport = engine.transport as unknown as LoopbackTransport | undefined;
      const buffered = engine.readyState === "closed" ? 0 : engine.writeBuffer.length;
      if (buffered === 0 && transport?.busy !== true) break;
    }
    await this.#settle();
  }
}
