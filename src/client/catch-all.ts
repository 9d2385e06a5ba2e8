/**
 * The catch-all listeners of a socket (`onAny`, `onAnyOutgoing`, ...), as
 * socket.io-client has them: called with the event name first, for every event.
 *
 * @module
 */
import { Emitter, type Listener } from "./emitter.js";
import type { EventsMap } from "./typed-events.js";

function removeFrom(
  list: Listener[] | undefined,
  listener: ((...args: never[]) => void) | undefined,
): Listener[] | undefined {
  if (list === undefined || listener === undefined) return list && [];
  const i = list.indexOf(listener as Listener);
  if (i !== -1) list.splice(i, 1);
  return list;
}

/**
 * An emitter with catch-all listeners for incoming and outgoing events.
 *
 * @example
 * ```ts
 * socket.onAny((event, ...args) => console.log("got", event, args));
 * socket.onAnyOutgoing((event, ...args) => console.log("sent", event, args));
 * ```
 */
export class CatchAllEmitter<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ReservedEvents extends EventsMap,
> extends Emitter<ListenEvents, EmitEvents, ReservedEvents> {
  #any: Listener[] | undefined;
  #anyOutgoing: Listener[] | undefined;

  /**
   * Adds a listener for every incoming event (name first).
   *
   * @example
   * ```ts
   * socket.onAny((event, ...args) => console.log(event, args));
   * ```
   */
  onAny(listener: (...args: never[]) => void): this {
    (this.#any ??= []).push(listener as Listener);
    return this;
  }

  /**
   * Adds a catch-all listener before the others.
   *
   * @example
   * ```ts
   * socket.prependAny((event) => console.log("first:", event));
   * ```
   */
  prependAny(listener: (...args: never[]) => void): this {
    (this.#any ??= []).unshift(listener as Listener);
    return this;
  }

  /**
   * Removes one catch-all listener, or all of them.
   *
   * @example
   * ```ts
   * socket.offAny(logAll);
   * ```
   */
  offAny(listener?: (...args: never[]) => void): this {
    this.#any = removeFrom(this.#any, listener);
    return this;
  }

  /**
   * The catch-all listeners.
   *
   * @example
   * ```ts
   * socket.listenersAny().length;
   * ```
   */
  listenersAny(): Listener[] {
    return this.#any ?? [];
  }

  /**
   * Adds a listener for every outgoing event (name first).
   *
   * @example
   * ```ts
   * socket.onAnyOutgoing((event, ...args) => console.log("sent", event));
   * ```
   */
  onAnyOutgoing(listener: (...args: never[]) => void): this {
    (this.#anyOutgoing ??= []).push(listener as Listener);
    return this;
  }

  /**
   * Adds an outgoing catch-all listener before the others.
   *
   * @example
   * ```ts
   * socket.prependAnyOutgoing((event) => console.log("sending", event));
   * ```
   */
  prependAnyOutgoing(listener: (...args: never[]) => void): this {
    (this.#anyOutgoing ??= []).unshift(listener as Listener);
    return this;
  }

  /**
   * Removes one outgoing catch-all listener, or all of them.
   *
   * @example
   * ```ts
   * socket.offAnyOutgoing();
   * ```
   */
  offAnyOutgoing(listener?: (...args: never[]) => void): this {
    this.#anyOutgoing = removeFrom(this.#anyOutgoing, listener);
    return this;
  }

  /**
   * The outgoing catch-all listeners.
   *
   * @example
   * ```ts
   * socket.listenersAnyOutgoing().length;
   * ```
   */
  listenersAnyOutgoing(): Listener[] {
    return this.#anyOutgoing ?? [];
  }

  /** Calls the incoming catch-all listeners with `[event, ...args]`. @internal */
  _notifyAny(args: readonly unknown[]): void {
    const listeners = this.#any;
    if (listeners === undefined || listeners.length === 0) return;
    for (const listener of listeners.slice()) listener.apply(this, args as unknown[]);
  }

  /** Calls the outgoing catch-all listeners with `[event, ...args]`. @internal */
  _notifyAnyOutgoing(args: readonly unknown[]): void {
    const listeners = this.#anyOutgoing;
    if (listeners === undefined || listeners.length === 0) return;
    for (const listener of listeners.slice()) listener.apply(this, args as unknown[]);
  }
}
