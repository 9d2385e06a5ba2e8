/**
 * Typed event maps: the types that make `emit`, `on` and acknowledgements checked
 * against the application's own event interfaces (client-to-server, server-to-client,
 * inter-server, socket data), with the same names and meaning as socket.io's, so that
 * typed socket.io code compiles unchanged.
 *
 * @example
 * ```ts
 * interface ClientToServerEvents { hello: (name: string, ack: (n: number) => void) => void }
 * interface ServerToClientEvents { news: (text: string) => void }
 * interface InterServerEvents { ping: () => void }
 * interface SocketData { user: string }
 * const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>();
 * const socket = io<ServerToClientEvents, ClientToServerEvents>(); // pushwire/client
 * ```
 *
 * Types only, shared by the server and the client: nothing here exists at run time.
 *
 * @module
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- these types mirror socket.io's public ones, which use `any` for untyped events */

/** Maps event names to listener signatures. */
export interface EventsMap {
  [event: string]: any;
}

/** The map used when none is given: every name, any arguments. */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

/** The event names of a map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The parameters of an event's listener. */
export type EventParams<Map extends EventsMap, Ev extends keyof Map> = Parameters<Map[Ev]>;

type IsAny<T> = 0 extends 1 & T ? true : false;

/** The type of the last element of a tuple (the element type of an array). */
export type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L]
  ? L
  : T extends readonly (infer E)[]
    ? E
    : never;

/** A tuple without its last element. */
export type AllButLast<T extends any[]> = T extends [...infer H, any] ? H : any[];

/** The first parameter of a one-parameter function. */
export type FirstArg<T> = T extends (arg: infer Param) => any ? Param : any;

type AckOf<F> = F extends (...args: infer P) => any ? (P extends [] ? never : Last<P>) : never;
type HasAck<F> =
  IsAny<F> extends true
    ? true
    : IsAny<AckOf<F>> extends true
      ? true
      : [AckOf<F>] extends [never]
        ? false
        : AckOf<F> extends (...args: any[]) => any
          ? true
          : false;

/** The names of events whose last parameter is an acknowledgement callback. */
export type EventNamesWithAck<Map extends EventsMap> = {
  [K in EventNames<Map>]: HasAck<Map[K]> extends true ? K : never;
}[EventNames<Map>];

/** The names of events that take no acknowledgement callback. */
export type EventNamesWithoutAck<Map extends EventsMap> = {
  [K in EventNames<Map>]: IsAny<Map[K]> extends true
    ? K
    : IsAny<AckOf<Map[K]>> extends true
      ? K
      : HasAck<Map[K]> extends true
        ? never
        : K;
}[EventNames<Map>];

/** The events of a map that take no acknowledgement. */
export type RemoveAcknowledgements<E extends EventsMap> = {
  [K in keyof E as K extends EventNamesWithoutAck<E> ? K : never]: E[K];
};

type FirstParam<F> = F extends (...args: infer P) => any ? P[0] : never;

/** The names of events whose acknowledgement callback takes an Error first (after `timeout()`). */
export type EventNamesWithError<Map extends EventsMap> = {
  [K in EventNamesWithAck<Map>]: IsAny<AckOf<Map[K]>> extends true
    ? K
    : FirstParam<AckOf<Map[K]>> extends Error
      ? K
      : never;
}[EventNamesWithAck<Map>];

/** The first argument of a callback that is not its error. */
export type FirstNonErrorArg<T> = T extends (...args: infer P) => any
  ? P[0] extends Error
    ? P[1]
    : P[0]
  : any;

type PrependTimeoutError<T extends any[]> = {
  [K in keyof T]: T[K] extends (...args: infer P) => infer R
    ? P[0] extends Error
      ? T[K]
      : (err: Error, ...args: P) => R
    : T[K];
};

type MultipleResponses<T extends any[]> = {
  [K in keyof T]: T[K] extends (...args: infer P) => infer R
    ? P extends [Error]
      ? (err: Error) => R
      : P extends [Error, infer A, ...any[]]
        ? (err: Error, responses: A[]) => R
        : P extends []
          ? () => R
          : P extends [infer A, ...any[]]
            ? (responses: A[]) => R
            : T[K]
    : T[K];
};

/**
 * The events as seen after `timeout(ms)`: each acknowledgement callback receives an
 * Error first (the timeout), then the response.
 */
export type DecorateAcknowledgements<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: PrependTimeoutError<P>) => R
    : E[K];
};

/** The events as a broadcast sees them: acknowledgements receive every client's response. */
export type DecorateAcknowledgementsWithMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: MultipleResponses<P>) => R
    : E[K];
};

/** Both: a broadcast with a timeout. */
export type DecorateAcknowledgementsWithTimeoutAndMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: MultipleResponses<PrependTimeoutError<P>>) => R
    : E[K];
};

/** Event names that are reserved or the application's. */
export type ReservedOrUserEventNames<Reserved extends EventsMap, User extends EventsMap> =
  EventNames<Reserved> | EventNames<User>;

type FallbackToUntypedListener<T> = [T] extends [never]
  ? (...args: any[]) => void | Promise<void>
  : T;

/** The listener type of a reserved or an application event. */
export type ReservedOrUserListener<
  Reserved extends EventsMap,
  User extends EventsMap,
  Ev extends ReservedOrUserEventNames<Reserved, User>,
> = FallbackToUntypedListener<
  Ev extends EventNames<Reserved> ? Reserved[Ev] : Ev extends EventNames<User> ? User[Ev] : never
>;

/** Something with a typed `emit` that is not an EventEmitter (broadcast operators). */
export interface TypedEventBroadcaster<EmitEvents extends EventsMap> {
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
}
