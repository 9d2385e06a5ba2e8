/**
 * A small typed event emitter with the surface of `@socket.io/component-emitter`
 * (`on`, `once`, `off`, `listeners`, `hasListeners`, ...), which socket.io-client users
 * call on sockets, managers and `manager.engine`.
 *
 * @module
 */
import type {
  EventNames,
  EventParams,
  EventsMap,
  ReservedOrUserEventNames,
  ReservedOrUserListener,
} from "./typed-events.js";

/** A listener of any event. */
export type Listener = (...args: unknown[]) => unknown;

/** A `once` wrapper remembers its listener so that `off(ev, listener)` finds it. */
type Wrapped = Listener & { listener?: Listener };

/**
 * Typed emitter. `ListenEvents` are the user events one may listen to, `EmitEvents`
 * those one may emit, `ReservedEvents` the lifecycle events only the object itself
 * emits (through `emitReserved`).
 *
 * @example
 * ```ts
 * socket.on("connect", () => console.log("connected"));
 * socket.once("news", (text) => console.log(text));
 * socket.off("news");
 * ```
 */
export class Emitter<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ReservedEvents extends EventsMap = object,
> {
  /** Listener arrays by event name; created on the first `on`. */
  #listeners: Map<string | symbol, Wrapped[]> | undefined;

  /**
   * Adds a listener.
   *
   * @example
   * ```ts
   * socket.on("news", (text) => console.log(text));
   * ```
   */
  on<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    const map = (this.#listeners ??= new Map());
    const list = map.get(ev);
    if (list === undefined) map.set(ev, [listener as Wrapped]);
    else list.push(listener as Wrapped);
    return this;
  }

  /**
   * Alias of {@link Emitter.on}.
   *
   * @example
   * ```ts
   * socket.addEventListener("news", (text) => console.log(text));
   * ```
   */
  addEventListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return this.on(ev, listener);
  }

  /**
   * Adds a listener called at most once.
   *
   * @example
   * ```ts
   * socket.once("connect", () => console.log("first connection"));
   * ```
   */
  once<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    const wrapped: Wrapped = (...args: unknown[]) => {
      this.off(ev, wrapped as never);
      return (listener as Listener).apply(this, args);
    };
    wrapped.listener = listener as Listener;
    return this.on(ev, wrapped as never);
  }

  /**
   * Removes one listener, every listener of an event, or every listener.
   *
   * @example
   * ```ts
   * socket.off("news", onNews); // one
   * socket.off("news"); // all of "news"
   * socket.off(); // all
   * ```
   */
  off<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    const map = this.#listeners;
    if (map === undefined) return this;
    if (ev === undefined) {
      map.clear();
      return this;
    }
    const list = map.get(ev);
    if (list === undefined) return this;
    if (listener === undefined) {
      map.delete(ev);
      return this;
    }
    for (let i = 0; i < list.length; i++) {
      const item = list[i]!;
      if (item === listener || item.listener === listener) {
        list.splice(i, 1);
        break;
      }
    }
    if (list.length === 0) map.delete(ev);
    return this;
  }

  /**
   * Alias of {@link Emitter.off}.
   *
   * @example
   * ```ts
   * socket.removeListener("news", onNews);
   * ```
   */
  removeListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return this.off(ev, listener);
  }

  /**
   * Alias of {@link Emitter.off}.
   *
   * @example
   * ```ts
   * socket.removeEventListener("news", onNews);
   * ```
   */
  removeEventListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return this.off(ev, listener);
  }

  /**
   * Removes every listener of an event, or every listener.
   *
   * @example
   * ```ts
   * socket.removeAllListeners("news");
   * ```
   */
  removeAllListeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev?: Ev,
  ): this {
    return this.off(ev);
  }

  /**
   * Calls the listeners of a user event with these arguments. (On a `Socket`, `emit`
   * sends to the server instead.)
   *
   * @example
   * ```ts
   * emitter.emit("news", "hello");
   * ```
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): this {
    this._emitLocal(ev, args);
    return this;
  }

  /**
   * Calls the listeners of a reserved (lifecycle) event.
   *
   * @internal
   */
  emitReserved<Ev extends EventNames<ReservedEvents>>(
    ev: Ev,
    ...args: EventParams<ReservedEvents, Ev>
  ): this {
    this._emitLocal(ev, args);
    return this;
  }

  /**
   * Calls the listeners of `ev` with an argument array, without spreading it twice.
   *
   * @internal
   */
  _emitLocal(ev: string | symbol, args: readonly unknown[]): void {
    const list = this.#listeners?.get(ev);
    if (list === undefined) return;
    if (list.length === 1) {
      list[0]!.apply(this, args as unknown[]);
      return;
    }
    // A listener may remove itself (once) or others while we iterate.
    const copy = list.slice();
    for (let i = 0; i < copy.length; i++) copy[i]!.apply(this, args as unknown[]);
  }

  /**
   * The listeners of an event.
   *
   * @example
   * ```ts
   * socket.listeners("news").length;
   * ```
   */
  listeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
  ): ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[] {
    const list = this.#listeners?.get(ev);
    return (list === undefined ? [] : list.map((l) => l.listener ?? l)) as never;
  }

  /**
   * Whether an event has listeners.
   *
   * @example
   * ```ts
   * if (!socket.hasListeners("news")) socket.on("news", onNews);
   * ```
   */
  hasListeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(ev: Ev): boolean {
    return this.#listeners?.get(ev) !== undefined;
  }
}
