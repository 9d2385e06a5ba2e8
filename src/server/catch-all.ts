/**
 * Catch-all listeners (`onAny`, `onAnyOutgoing` and their kin), as socket.io's Socket
 * has them. The arrays exist only once a listener is added.
 *
 * @module
 */
import type { EventsMap } from "./typed-events.js";
import { StrictEventEmitter } from "./typed-events.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- listeners of untyped events */

type Listener = (...args: any[]) => void;

function removeListener(listeners: Listener[] | null, listener?: Listener): Listener[] | null {
  if (listeners === null || listener === undefined) return null;
  const i = listeners.indexOf(listener);
  if (i !== -1) listeners.splice(i, 1);
  return listeners;
}

/**
 * An event emitter with catch-all listeners for incoming and outgoing events.
 *
 * @example
 * ```ts
 * socket.onAny((event, ...args) => console.log("got", event));
 * socket.onAnyOutgoing((event, ...args) => console.log("sent", event));
 * ```
 */
export abstract class CatchAllEmitter<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ReservedEvents extends EventsMap,
> extends StrictEventEmitter<ListenEvents, EmitEvents, ReservedEvents> {
  /** Both lists in one field, made on the first catch-all listener (most sockets have none). */
  #any: { incoming: Listener[] | null; outgoing: Listener[] | null } | null = null;

  /** @internal */
  protected get _anyIncoming(): Listener[] | null {
    return this.#any?.incoming ?? null;
  }

  /** @internal */
  protected get _anyOutgoing(): Listener[] | null {
    return this.#any?.outgoing ?? null;
  }

  private lists(): { incoming: Listener[] | null; outgoing: Listener[] | null } {
    return (this.#any ??= { incoming: null, outgoing: null });
  }

  /**
   * Adds a listener called with every incoming event (`name, ...args`).
   *
   * @example
   * ```ts
   * socket.onAny((event, ...args) => console.log(event, args));
   * ```
   */
  onAny(listener: Listener): this {
    (this.lists().incoming ??= []).push(listener);
    return this;
  }

  /** Adds a catch-all listener first in line. */
  prependAny(listener: Listener): this {
    (this.lists().incoming ??= []).unshift(listener);
    return this;
  }

  /** Removes a catch-all listener, or all of them. */
  offAny(listener?: Listener): this {
    if (this.#any !== null) this.#any.incoming = removeListener(this.#any.incoming, listener);
    return this;
  }

  /** The catch-all listeners. */
  listenersAny(): Listener[] {
    return this._anyIncoming ?? [];
  }

  /**
   * Adds a listener called with every outgoing event (`name, ...args`).
   *
   * @example
   * ```ts
   * socket.onAnyOutgoing((event, ...args) => console.log("sent", event));
   * ```
   */
  onAnyOutgoing(listener: Listener): this {
    (this.lists().outgoing ??= []).push(listener);
    return this;
  }

  /** Adds an outgoing catch-all listener first in line. */
  prependAnyOutgoing(listener: Listener): this {
    (this.lists().outgoing ??= []).unshift(listener);
    return this;
  }

  /** Removes an outgoing catch-all listener, or all of them. */
  offAnyOutgoing(listener?: Listener): this {
    if (this.#any !== null) this.#any.outgoing = removeListener(this.#any.outgoing, listener);
    return this;
  }

  /** The outgoing catch-all listeners. */
  listenersAnyOutgoing(): Listener[] {
    return this._anyOutgoing ?? [];
  }
}
