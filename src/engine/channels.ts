/**
 * The engine's `node:diagnostics_channel` channels (docs/observability.md). Publishers
 * check `hasSubscribers` first, so an unobserved server pays one property read per
 * packet and allocates nothing.
 *
 * - `pushwire:engine:connect` `{ session }`: a session opened (polling or WebSocket)
 * - `pushwire:engine:close` `{ session, reason, description }`: a session ended
 * - `pushwire:engine:packet:in` `{ session, data }`: a message packet arrived
 * - `pushwire:engine:packet:out` `{ session, data }`: a message packet was queued
 * - `pushwire:engine:refused` `{ req, code, status, message, reason }`: a request refused
 * - `pushwire:engine:error` `{ session, reason, error }`: a session ended on an error
 * - `pushwire:engine:drop` `{ session, reason, bytes }`: a volatile packet dropped, or a
 *   slow consumer being closed
 *
 * @module
 * @internal
 */
import { channel } from "node:diagnostics_channel";

/** @internal */
export const engineConnect = channel("pushwire:engine:connect");
/** @internal */
export const engineClose = channel("pushwire:engine:close");
/** @internal */
export const enginePacketIn = channel("pushwire:engine:packet:in");
/** @internal */
export const enginePacketOut = channel("pushwire:engine:packet:out");
/** @internal */
export const engineRefused = channel("pushwire:engine:refused");
/** @internal */
export const engineError = channel("pushwire:engine:error");
/** @internal */
export const engineDrop = channel("pushwire:engine:drop");
