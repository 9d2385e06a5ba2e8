/**
 * Typed event maps: the same shapes as socket.io's (`EventsMap`, `EventNames`,
 * `EventParams`), so that `Socket<ServerToClient, ClientToServer>` checks `emit`, `on`
 * and acknowledgements at compile time. Types only: nothing here exists at run time.
 *
 * @module
 */

/**
 * A map of event names to listener signatures.
 *
 * @example
 * ```ts
 * interface ServerToClient {
 *   news: (text: string) => void;
 * }
 * ```
 */
export interface EventsMap {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- listener signatures vary; `unknown` would reject every concrete listener
  [event: string]: any;
}

/** The map used when none is given: any event name, any arguments. */
export interface DefaultEventsMap {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same as EventsMap
  [event: string]: (...args: any[]) => void;
}

/** The event names of a map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The argument list of one event of a map. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** Names that are either reserved (lifecycle) events or user events. */
export type ReservedOrUserEventNames<
  ReservedEventsMap extends EventsMap,
  UserEvents extends EventsMap,
> = EventNames<ReservedEventsMap> | EventNames<UserEvents>;

/** The listener type of an event, reserved events first. */
export type ReservedOrUserListener<
  ReservedEvents extends EventsMap,
  UserEvents extends EventsMap,
  Ev extends ReservedOrUserEventNames<ReservedEvents, UserEvents>,
> = FallbackToUntypedListener<
  Ev extends EventNames<ReservedEvents>
    ? ReservedEvents[Ev]
    : Ev extends EventNames<UserEvents>
      ? UserEvents[Ev]
      : never
>;

/** An untyped listener where the maps say nothing of an event. */
type FallbackToUntypedListener<T> = [T] extends [never]
  ? // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the untyped fallback of socket.io
    (...args: any[]) => void | Promise<void>
  : T;

/** The last element type of a tuple. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mirrors socket.io's helper
export type Last<T extends unknown[]> = T extends [...infer _H, infer L] ? L : any;

/** A tuple without its last element. */
export type AllButLast<T extends unknown[]> = T extends [...infer H, infer _L] ? H : unknown[];

/** The first parameter of a one-parameter function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mirrors socket.io's helper
export type FirstArg<T> = T extends (arg: infer Param) => unknown ? Param : any;

/** Function arguments with a timeout error prepended to each callback's parameters. */
type PrependTimeoutError<T extends unknown[]> = {
  [K in keyof T]: T[K] extends (...args: infer Params) => infer Result
    ? (err: Error, ...args: Params) => Result
    : T[K];
};

/**
 * An events map whose acknowledgement callbacks also receive an error first: what
 * `socket.timeout(ms)` emits with.
 */
export type DecorateAcknowledgements<E> = {
  [K in keyof E]: E[K] extends (...args: infer Params) => infer Result
    ? (...args: PrependTimeoutError<Params>) => Result
    : E[K];
};
