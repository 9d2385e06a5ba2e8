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
  /** @internal */
  protected _anyIncoming: Listener[] | null = null;
  /** @internal */
  protected _anyOutgoing: Listener[] | null = null;

  /**
   * Adds a listener called with every incoming event (`name, ...args`).
   *
   * @example
   * ```ts
   * socket.onAny((event, ...args) => console.log(event, args));
   * ```
   */
  onAny(listener: Listener): this {
    (this._anyIncoming ??= []).push(listener);
    return this;
  }

  /** Adds a catch-all listener first in line. */
  prependAny(listener: Listener): this {
    (this._anyIncoming ??= []).unshift(listener);
    return this;
  }

  /** Removes a catch-all listener, or all of them. */
  offAny(listener?: Listener): this {
    this._anyIncoming = removeListener(this._anyIncoming, listener);
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
    (this._anyOutgoing ??= []).push(listener);
    return this;
  }

  /** Adds an outgoing catch-all listener first in line. */
  prependAnyOutgoing(listener: Listener): this {
    (this._anyOutgoing ??= []).unshift(listener);
    return this;
  }

  /** Removes an outgoing catch-all listener, or all of them. */
  offAnyOutgoing(listener?: Listener): this {
    this._anyOutgoing = removeListener(this._anyOutgoing, listener);
    return this;
  }

  /** The outgoing catch-all listeners. */
  listenersAnyOutgoing(): Listener[] {
    return this._anyOutgoing ?? [];
  }
}
