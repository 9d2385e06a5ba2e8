/**
 * Class-based namespaces, as Flask-SocketIO's `Namespace`: a class whose `onConnect`,
 * `onDisconnect` and `onMyEvent` methods handle `connect`, `disconnect` and `my_event`.
 *
 * Method names map to event names by dropping `on` and turning camelCase into
 * snake_case (Flask's `on_my_event` handles `my_event`, so does our `onMyEvent`):
 * `onMyEvent` -> `my_event`, `onHTTPRequest` -> `http_request`, `onItem2` -> `item2`.
 * An explicit `events` map (method name -> event name) overrides the rule, for event
 * names no method name can carry (`"chat message"`, `"user:join"`).
 *
 * @module
 */
import type { Room } from "../adapter/contract.js";
import { PushwireError } from "../errors.js";
import type { Server } from "../server/server.js";
import {
  call,
  closeRoom,
  currentContext,
  disconnect,
  joinRoom,
  leaveRoom,
  rooms,
  type AppCore,
  type CallOptions,
  type ClientOptions,
} from "./context.js";
import { splitEmitOptions, type EmitOptions } from "./options.js";

/** Options of a {@link SocketIONamespace}. */
export interface SocketIONamespaceOptions {
  /** Method name -> event name, for names the camelCase rule cannot give. */
  events?: Record<string, string>;
}

/**
 * The event a handler method answers by the naming rule.
 *
 * @example
 * ```ts
 * eventNameOf("onMyEvent"); // "my_event"
 * eventNameOf("onHTTPRequest"); // "http_request"
 * ```
 */
export function eventNameOf(method: string): string {
  return method
    .slice(2)
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/**
 * A class-based namespace. Subclass it, add `on<Event>` methods, and register an
 * instance with `socketio.onNamespace()`. Inside the methods, `this.emit`, `this.send`,
 * `this.joinRoom`, ... act as the functions of the same names with the namespace
 * defaulting to this one.
 *
 * @example
 * ```ts
 * class Chat extends SocketIONamespace {
 *   onConnect(auth: { name?: string }) {
 *     this.emit("welcome", { name: auth.name });
 *   }
 *   onMyEvent(data: unknown) {
 *     this.emit("my_response", data, { broadcast: true });
 *   }
 * }
 * socketio.onNamespace(new Chat("/chat"));
 * ```
 */
export class SocketIONamespace {
  /** The namespace this class handles. */
  readonly namespace: string;
  /** Method name -> event name overrides. */
  readonly events: Readonly<Record<string, string>>;
  /** The app, once registered with `socketio.onNamespace()`. @internal */
  _app: AppCore | null = null;

  constructor(namespace = "/", opts: SocketIONamespaceOptions = {}) {
    this.namespace = namespace;
    this.events = { ...opts.events };
  }

  /**
   * The app's server (socket.io-style), once registered.
   *
   * @example
   * ```ts
   * onCount() { return this.server.of(this.namespace).sockets.size; }
   * ```
   */
  get server(): Server {
    if (this._app === null) {
      throw new PushwireError(
        "PW_ERR_APP_INVALID_HANDLER",
        "this namespace is not registered: call socketio.onNamespace(instance)",
      );
    }
    return this._app.server;
  }

  /**
   * `emit`, with the namespace defaulting to this one.
   *
   * @example
   * ```ts
   * onMyEvent(data: unknown) { this.emit("my_response", data); }
   * ```
   */
  emit(event: string, ...args: unknown[]): void {
    const ctx = currentContext("emit()");
    const { data, opts } = splitEmitOptions(args);
    ctx.app._emit(ctx, event, data, { ...opts, namespace: opts.namespace ?? this.namespace });
  }

  /**
   * `send`, with the namespace defaulting to this one.
   *
   * @example
   * ```ts
   * onMessage(text: string) { this.send(text); } // echo
   * ```
   */
  send(data: unknown, opts: EmitOptions = {}): void {
    const ctx = currentContext("send()");
    ctx.app._emit(ctx, "message", [data], { ...opts, namespace: opts.namespace ?? this.namespace });
  }

  /**
   * `call`, with the namespace defaulting to this one.
   *
   * @example
   * ```ts
   * async onLogin() { return `hello ${String(await this.call("name?"))}`; }
   * ```
   */
  call(event: string, data?: unknown, opts: CallOptions = {}): Promise<unknown> {
    return call(event, data, { ...opts, namespace: opts.namespace ?? this.namespace });
  }

  /**
   * `joinRoom`, with the namespace defaulting to this one.
   *
   * @example
   * ```ts
   * onJoin(room: string) { this.joinRoom(room); }
   * ```
   */
  joinRoom(room: Room, opts: ClientOptions = {}): void {
    joinRoom(room, { ...opts, namespace: opts.namespace ?? this.namespace });
  }

  /**
   * `leaveRoom`, with the namespace defaulting to this one.
   *
   * @example
   * ```ts
   * onLeave(room: string) { this.leaveRoom(room); }
   * ```
   */
  leaveRoom(room: Room, opts: ClientOptions = {}): void {
    leaveRoom(room, { ...opts, namespace: opts.namespace ?? this.namespace });
  }

  /**
   * `closeRoom`, with the namespace defaulting to this one.
   *
   * @example
   * ```ts
   * onEndGame(room: string) { this.closeRoom(room); }
   * ```
   */
  closeRoom(room: Room, opts: { namespace?: string } = {}): void {
    closeRoom(room, { namespace: opts.namespace ?? this.namespace });
  }

  /**
   * `rooms`, with the namespace defaulting to this one.
   *
   * @example
   * ```ts
   * onMyRooms() { return this.rooms(); }
   * ```
   */
  rooms(opts: ClientOptions = {}): Room[] {
    return rooms({ ...opts, namespace: opts.namespace ?? this.namespace });
  }

  /**
   * `disconnect`, with the namespace defaulting to this one.
   *
   * @example
   * ```ts
   * onQuit() { this.disconnect(); }
   * ```
   */
  disconnect(opts: ClientOptions = {}): void {
    disconnect({ ...opts, namespace: opts.namespace ?? this.namespace });
  }
}

/** Names of the base class's own members, never handlers. */
const BASE_MEMBERS = new Set(Object.getOwnPropertyNames(SocketIONamespace.prototype));

/**
 * The handlers of a namespace instance: event name -> method name, from its `on<Event>`
 * methods (own, and up its class chain) and its `events` map.
 *
 * @internal
 */
export function handlerMethods(instance: SocketIONamespace): Map<string, string> {
  const methods = new Set<string>();
  const explicit = instance.events;
  for (
    let proto: object | null = instance;
    proto !== null && proto !== SocketIONamespace.prototype && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (BASE_MEMBERS.has(name) || name === "constructor") continue;
      const value = (instance as unknown as Record<string, unknown>)[name];
      if (typeof value !== "function") continue;
      if (/^on[A-Z0-9]/.test(name) || Object.hasOwn(explicit, name)) methods.add(name);
    }
  }
  for (const name of Object.keys(explicit)) {
    if (!methods.has(name)) {
      throw new PushwireError(
        "PW_ERR_APP_INVALID_HANDLER",
        `events maps "${name}", which is not a method of the namespace class`,
      );
    }
  }
  const byEvent = new Map<string, string>();
  for (const method of methods) {
    const event = Object.hasOwn(explicit, method) ? explicit[method]! : eventNameOf(method);
    const other = byEvent.get(event);
    if (other !== undefined) {
      throw new PushwireError(
        "PW_ERR_APP_INVALID_HANDLER",
        `${other} and ${method} both handle "${event}"`,
      );
    }
    byEvent.set(event, method);
  }
  return byEvent;
}
