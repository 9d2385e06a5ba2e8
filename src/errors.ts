/**
 * The one registry of pushwire error codes.
 *
 * Every refusal pushwire makes carries a stable `code` from this table, so that users
 * match on the code and never on the message. Each code is documented in
 * `docs/errors.md`; a test keeps the two in step.
 *
 * Engine.IO's numeric error codes (0-5) stay on the wire as the spec requires; the
 * entries that map to one carry it as `eio`.
 *
 * @module
 */

/** What the registry knows of one error code. */
export interface ErrorSpec {
  /** Default human-readable message. */
  readonly message: string;
  /** HTTP status, for errors that answer an HTTP request. */
  readonly status?: number;
  /** Engine.IO wire error code (0-5), for errors that answer an Engine.IO request. */
  readonly eio?: number;
}

/** Every error code pushwire can produce, by area (`PW_ERR_<AREA>_<WHAT>`). */
export const ERRORS = {
  // Engine.IO: HTTP handshake and requests (spec: engine.io-protocol, "Handshake")
  PW_ERR_ENGINE_UNKNOWN_TRANSPORT: { message: "Transport unknown", status: 400, eio: 0 },
  PW_ERR_ENGINE_UNKNOWN_SID: { message: "Session ID unknown", status: 400, eio: 1 },
  PW_ERR_ENGINE_BAD_HANDSHAKE_METHOD: { message: "Bad handshake method", status: 400, eio: 2 },
  PW_ERR_ENGINE_BAD_REQUEST: { message: "Bad request", status: 400, eio: 3 },
  PW_ERR_ENGINE_FORBIDDEN: { message: "Forbidden", status: 403, eio: 4 },
  PW_ERR_ENGINE_UNSUPPORTED_PROTOCOL_VERSION: {
    message: "Unsupported protocol version",
    status: 400,
    eio: 5,
  },
  PW_ERR_ENGINE_PAYLOAD_TOO_LARGE: { message: "Payload too large", status: 413, eio: 3 },
  PW_ERR_ENGINE_SHUTTING_DOWN: { message: "Server is shutting down", status: 503, eio: 3 },
  // Engine.IO: session close descriptions and options
  PW_ERR_ENGINE_INVALID_PACKET: { message: "invalid Engine.IO packet" },
  PW_ERR_ENGINE_UNEXPECTED_PACKET: { message: "unexpected Engine.IO packet" },
  PW_ERR_ENGINE_TRANSPORT_ERROR: { message: "transport error" },
  PW_ERR_ENGINE_SLOW_CONSUMER: { message: "outgoing buffer limit reached" },
  PW_ERR_ENGINE_INVALID_OPTION: { message: "invalid engine option" },

  // Socket.IO packets (spec: socket.io-protocol, "Packet encoding")
  PW_ERR_PROTOCOL_UNKNOWN_TYPE: { message: "unknown packet type" },
  PW_ERR_PROTOCOL_INVALID_PACKET: { message: "invalid packet" },
  PW_ERR_PROTOCOL_INVALID_PAYLOAD: { message: "invalid payload" },
  PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS: { message: "illegal attachments" },
  PW_ERR_PROTOCOL_TOO_MANY_ATTACHMENTS: { message: "too many attachments" },
  PW_ERR_PROTOCOL_UNEXPECTED_BINARY: {
    message: "got binary data while not reconstructing a packet",
  },
  PW_ERR_PROTOCOL_UNEXPECTED_TEXT: { message: "got text data while reconstructing a packet" },
  PW_ERR_PROTOCOL_UNENCODABLE: { message: "cannot encode payload" },

  // The client (pushwire/client). Messages are socket.io-client's, for code that matches them.
  PW_ERR_CLIENT_INVALID_URL: { message: "invalid URL" },
  PW_ERR_CLIENT_RESERVED_EVENT: { message: "reserved event name" },
  PW_ERR_CLIENT_CONNECT_TIMEOUT: { message: "timeout" },
  PW_ERR_CLIENT_CONNECT_REFUSED: { message: "connection refused by the server" },
  PW_ERR_CLIENT_INCOMPATIBLE_SERVER: {
    message:
      "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)",
  },
  PW_ERR_CLIENT_TRANSPORT_ERROR: { message: "transport error" },
  PW_ERR_CLIENT_PROBE_FAILED: { message: "probe error" },
  PW_ERR_CLIENT_NO_TRANSPORT: { message: "No transports available" },

  // Socket.IO server: namespaces, connection lifecycle, limits (docs/errors.md)
  PW_ERR_SERVER_INVALID_NAMESPACE: { message: "Invalid namespace" },
  PW_ERR_SERVER_CLIENT_BUNDLE_MISSING: {
    message: "the client bundle is missing: run `npm run build:client`",
  },
  PW_ERR_SERVER_NAMESPACE_LIMIT: { message: "Too many namespaces on this connection" },
  PW_ERR_SERVER_INVALID_STATE: { message: "packet out of sequence" },
  PW_ERR_SERVER_CONNECT_TIMEOUT: { message: "no namespace connected in time" },
  PW_ERR_SERVER_BINARY_TIMEOUT: { message: "binary attachments not received in time" },
  PW_ERR_SERVER_ROOM_LIMIT: { message: "too many rooms for one socket" },
  PW_ERR_SERVER_RESERVED_EVENT: { message: "reserved event name" },
  PW_ERR_SERVER_UNSUPPORTED: { message: "operation not supported" },
  PW_ERR_SERVER_INVALID_OPTION: { message: "invalid server option" },
  PW_ERR_SERVER_SHUTTING_DOWN: { message: "server is shutting down" },

  // Acknowledgements (socket.io's error messages, which clients and apps match on)
  PW_ERR_ACK_TIMEOUT: { message: "operation has timed out" },
  PW_ERR_ACK_LIMIT: { message: "too many pending acknowledgements" },
  PW_ERR_ACK_DISCONNECTED: { message: "socket has been disconnected" },

  // Scale-out: cluster requests between nodes, and pushwire/redis (docs/scale-out.md)
  PW_ERR_CLUSTER_REQUEST_TIMEOUT: { message: "timeout reached while waiting for other nodes" },
  PW_ERR_CLUSTER_UNAVAILABLE: { message: "the cluster transport is unavailable" },
  PW_ERR_CLUSTER_TOO_MANY_REQUESTS: { message: "too many cluster requests in flight" },
  PW_ERR_CLUSTER_CLOSED: { message: "the adapter is closed" },
  PW_ERR_REDIS_RESERVED_EVENT: { message: "reserved event name" },
  PW_ERR_REDIS_ACK_UNSUPPORTED: { message: "acknowledgements are not supported by the emitter" },

  // The Flask-style face (src/app/, docs/flask-socketio.md) and pushwire/testing
  PW_ERR_APP_NO_CONTEXT: {
    message:
      "called outside an event handler: emit, send, joinRoom, leaveRoom, rooms, disconnect and request need the current client (outside handlers, use socketio.emit)",
  },
  PW_ERR_APP_CONNECTION_REFUSED: { message: "Connection rejected by server" },
  PW_ERR_APP_INVALID_HANDLER: { message: "invalid handler" },
  PW_ERR_APP_INVALID_OPTION: { message: "invalid option" },
  PW_ERR_APP_NO_SUCH_CLIENT: { message: "no connected client with this sid" },
  PW_ERR_APP_WRITE_ONLY: { message: "not available on a write-only SocketIO" },
  PW_ERR_APP_CLOSED: { message: "the SocketIO instance is closed" },
  PW_ERR_APP_MESSAGE_QUEUE: { message: "the message queue could not be set up" },
  PW_ERR_TESTING_NOT_CONNECTED: { message: "the test client is not connected to this namespace" },
} as const satisfies Record<string, ErrorSpec>;

/** A pushwire error code. */
export type ErrorCode = keyof typeof ERRORS;

/**
 * An error raised by pushwire, with a stable {@link ErrorCode}.
 *
 * @example
 * ```ts
 * try {
 *   await io.timeout(1000).emitWithAck("ping");
 * } catch (err) {
 *   if (err instanceof PushwireError && err.code === "PW_ERR_ACK_TIMEOUT") retry();
 * }
 * ```
 */
export class PushwireError extends Error {
  /** Stable code from {@link ERRORS}. */
  readonly code: ErrorCode;
  /** Optional data for the peer or the user (CONNECT_ERROR `data`, the sid, ...). */
  readonly data?: unknown;

  constructor(code: ErrorCode, message?: string, data?: unknown) {
    super(message ?? ERRORS[code].message);
    this.name = "PushwireError";
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

/** Whether `code` is a registered error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERRORS, code);
}
