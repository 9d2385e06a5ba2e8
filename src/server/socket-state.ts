/**
 * The compact state of a `Socket` (DESIGN, "Performance principles" 4): flags share one
 * field, what few sockets need lives in an object made on demand, and the creation time
 * is a small integer. A socket of an idle connection is then 160 bytes.
 *
 * @module
 * @internal
 */
import type { PrivateSessionId } from "../adapter/contract.js";
import type { Middleware } from "./middleware.js";
import type { Event } from "./options.js";

/** `socket.data` before anyone read or set it: the object is created on first use. @internal */
export const NO_DATA: unique symbol = Symbol("pushwire.noData");

/** Bits of a socket's flags: left its namespace, recovered, next emit volatile / uncompressed. @internal */
export const [CLOSED, RECOVERED, VOLATILE, NO_COMPRESS] = [1, 2, 4, 8] as const;

/** When this module loaded: creation times count from here. @internal */
export const EPOCH = Date.now();

/**
 * Milliseconds since {@link EPOCH}: a small integer, stored in the socket itself, for the
 * first 12 days; a boxed number after that (`Date.now()` would always be boxed).
 *
 * @internal
 */
export function sinceEpoch(): number {
  const ms = Date.now() - EPOCH;
  return ms <= 0x3fffffff ? ms | 0 : ms;
}

/** What few sockets need (recovery, per-socket middleware, a pending timeout). @internal */
export class SocketExtras {
  pid: PrivateSessionId | undefined = undefined;
  missed: unknown[][] | null = null;
  fns: Middleware<Event>[] | null = null;
  timeout: number | undefined = undefined;
}
