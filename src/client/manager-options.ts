/**
 * Options and events of the `Manager`.
 *
 * @module
 */
import type { Packet } from "../protocol/index.js";
import type { DisconnectDescription, EngineOptions } from "./transport.js";

/** Options of a `Manager` (and of `io()`, with `SocketOptions`). */
export interface ManagerOptions extends EngineOptions {
  /** A new connection even when one to this server exists. @defaultValue false */
  forceNew?: boolean;
  /** Share the connection between namespaces. @defaultValue true */
  multiplex?: boolean;
  /** The Engine.IO path on the server. @defaultValue "/socket.io" */
  path?: string;
  /** Reconnect after an unexpected close. @defaultValue true */
  reconnection?: boolean;
  /** Attempts before `reconnect_failed`. @defaultValue Infinity */
  reconnectionAttempts?: number;
  /** First delay between attempts, in ms. @defaultValue 1000 */
  reconnectionDelay?: number;
  /** Largest delay between attempts, in ms. @defaultValue 5000 */
  reconnectionDelayMax?: number;
  /** Jitter, in `[0, 1]`. @defaultValue 0.5 */
  randomizationFactor?: number;
  /** Connection timeout in ms, or `false` for none. @defaultValue 20000 */
  timeout?: number | false;
  /** Connect at once. @defaultValue true */
  autoConnect?: boolean;
}

/** Events of a `Manager`. */
export interface ManagerReservedEvents {
  open: () => void;
  error: (err: Error) => void;
  ping: () => void;
  packet: (packet: Packet) => void;
  close: (reason: string, description?: DisconnectDescription) => void;
  reconnect_failed: () => void;
  reconnect_attempt: (attempt: number) => void;
  reconnect_error: (err: Error) => void;
  reconnect: (attempt: number) => void;
}
