/**
 * `ConnectionRefusedError`: thrown by a `connect` handler to refuse the client with a
 * reason, as Flask-SocketIO's `ConnectionRefusedError`.
 *
 * @module
 */
import { ERRORS, PushwireError } from "../errors.js";

/**
 * Refuses a connection: the client receives CONNECT_ERROR with `{ message, data }`
 * (socket.io-client: `connect_error` with `err.message` and `err.data`).
 *
 * As in Flask-SocketIO, the first argument is the message and the second the data; a
 * first argument that is not a string is taken as the data, with the default message
 * "Connection rejected by server".
 *
 * @example
 * ```ts
 * socketio.on("connect", (auth) => {
 *   if (auth.token !== secret) throw new ConnectionRefusedError("unauthorized", { retry: false });
 * });
 * ```
 */
export class ConnectionRefusedError extends PushwireError {
  constructor(message?: unknown, data?: unknown) {
    const text =
      typeof message === "string" ? message : ERRORS.PW_ERR_APP_CONNECTION_REFUSED.message;
    const payload = typeof message === "string" || message === undefined ? data : message;
    super("PW_ERR_APP_CONNECTION_REFUSED", text, payload);
    this.name = "ConnectionRefusedError";
  }
}
