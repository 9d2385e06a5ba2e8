/**
 * The server's typed event emitter, over the typed event maps shared with the client
 * (`src/protocol/typed-events.ts`).
 *
 * @module
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- these types mirror socket.io's public ones, which use `any` for untyped events */
import { EventEmitter } from "node:events";
import type {
  EventNames,
  EventParams,
  EventsMap,
  ReservedOrUserEventNames,
  ReservedOrUserListener,
  TypedEventBroadcaster,
} from "../protocol/typed-events.js";

export type * from "../protocol/typed-events.js";

/**
 * An EventEmitter whose `on`, `once` and `emit` are checked against event maps:
 * `ListenEvents` can be listened to, `EmitEvents` emitted, and `ReservedEvents` are
 * emitted by pushwire itself (`disconnect`, `connection`, ...).
 */
export abstract class StrictEventEmitter<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ReservedEvents extends EventsMap = object,
>
  extends EventEmitter
  implements TypedEventBroadcaster<EmitEvents>
{
  /** Adds a listener for `ev`. */
  override on<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.on(ev, listener);
  }

  /** Adds a one-time listener for `ev`. */
  override once<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.once(ev, listener);
  }

  /** Emits `ev` (the subclasses send it to clients instead). */
  override emit<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean {
    return super.emit(ev, ...args);
  }

  /** Emits one of pushwire's own events to local listeners. */
  protected emitReserved<Ev extends EventNames<ReservedEvents>>(
    ev: Ev,
    ...args: EventParams<ReservedEvents, Ev>
  ): boolean {
    return super.emit(ev, ...args);
  }

  /** Emits to local listeners without type checks. */
  protected emitUntyped(ev: string, ...args: any[]): boolean {
    return super.emit(ev, ...args);
  }

  /** The listeners of `event`. */
  override listeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    event: Ev,
  ): ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[] {
    return super.listeners(event) as ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[];
  }
}
