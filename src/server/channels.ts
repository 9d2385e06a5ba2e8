/**
 * Observability through `node:diagnostics_channel` (DESIGN: "Metrics fed from the
 * diagnostics channels"): nearly free when nobody subscribes, since each publisher
 * checks `hasSubscribers` first, and never a log call on a hot path.
 *
 * | Channel                       | Message                                                    |
 * | ----------------------------- | ---------------------------------------------------------- |
 * | `pushwire:socket:connect`     | `{ socket }`, after the CONNECT answer                     |
 * | `pushwire:socket:disconnect`  | `{ socket, reason }`                                       |
 * | `pushwire:socket:refused`     | `{ namespace, error }`: a middleware refused a socket      |
 * | `pushwire:client:error`       | `{ conn, error }`: a connection closed for a protocol error |
 *
 * @example
 * ```ts
 * import { subscribe } from "node:diagnostics_channel";
 * subscribe("pushwire:socket:disconnect", ({ reason }) => disconnects.inc({ reason }));
 * ```
 *
 * @module
 */
import { channel } from "node:diagnostics_channel";

/** @internal */
export const socketConnect = channel("pushwire:socket:connect");
/** @internal */
export const socketDisconnect = channel("pushwire:socket:disconnect");
/** @internal */
export const socketRefused = channel("pushwire:socket:refused");
/** @internal */
export const clientError = channel("pushwire:client:error");
