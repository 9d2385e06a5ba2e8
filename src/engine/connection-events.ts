/**
 * The `on`/`once`/`off` half of {@link EngineConnection}, shared by the engine's sessions
 * and the in-process loopback of `pushwire/testing`: the emitter is created on the first
 * listener, so that connections nobody listens to carry none.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import type { ConnectionEvents } from "./connection.js";

/** A base class giving a connection engine.io's socket events, allocated lazily. */
export abstract class ConnectionEventSource {
  /** Null until the first listener: hot paths test it before building an event. */
  protected emitter: EventEmitter | null = null;

  /**
   * Listens to a connection event.
   *
   * @example
   * ```ts
   * session.on("upgrade", (transport) => console.log("now on", transport.name));
   * ```
   */
  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this {
    (this.emitter ??= new EventEmitter()).on(event, listener);
    return this;
  }

  /** Listens to a connection event once. */
  once<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this {
    (this.emitter ??= new EventEmitter()).once(event, listener);
    return this;
  }

  /** Removes a listener added with `on` or `once`. */
  off<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this {
    this.emitter?.off(event, listener);
    return this;
  }

  /** Emits `event` to its listeners, if any. */
  protected emitEvent<E extends keyof ConnectionEvents>(
    event: E,
    ...args: Parameters<ConnectionEvents[E]>
  ): void {
    this.emitter?.emit(event, ...args);
  }
}
