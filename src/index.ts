/**
 * pushwire: a realtime server speaking Socket.IO v5 over Engine.IO v4, with the public
 * API of socket.io 4.x (switch by changing the import).
 *
 * @example
 * ```ts
 * import { Server } from "pushwire";
 *
 * const io = new Server(3000, { cors: { origin: "*" } });
 * io.on("connection", (socket) => socket.emit("hello", socket.id));
 * ```
 *
 * @module
 */
export { Server, type ParentNspNameMatchFn } from "./server/server.js";
export {
  Namespace,
  type NamespaceReservedEventsMap,
  type ServerReservedEventsMap,
} from "./server/namespace.js";
export { ParentNamespace } from "./server/parent-namespace.js";
export { Socket, type SocketNamespace } from "./server/socket.js";
export { BroadcastOperator, RemoteSocket, type AckError } from "./server/broadcast-operator.js";
export type {
  AdapterConstructor,
  ConnectionStateRecoveryOptions,
  DisconnectReason,
  Event,
  ExtendedError,
  Handshake,
  Parser,
  ParserDecoder,
  ServerOptions,
  SocketReservedEventsMap,
} from "./server/options.js";
export type {
  AllButLast,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventNamesWithAck,
  EventNamesWithError,
  EventNamesWithoutAck,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
  RemoveAcknowledgements,
  TypedEventBroadcaster,
} from "./server/typed-events.js";
export { Adapter, SessionAwareAdapter } from "./adapter/index.js";
export type {
  AdapterHost,
  AdapterSocket,
  BroadcastFlags,
  BroadcastOptions,
  PrivateSessionId,
  RecoveryConfig,
  Room,
  Session,
  SessionToPersist,
  SocketDetails,
  SocketId,
} from "./adapter/index.js";
export { EngineServer, prepareMessage } from "./engine/index.js";
export type {
  CloseReason,
  EngineConnection,
  EngineServerOptions,
  RawData,
  RequestInfo,
} from "./engine/index.js";
export { ERRORS, PushwireError, isErrorCode, type ErrorCode } from "./errors.js";
// The Flask-SocketIO-style face (docs/flask-socketio.md).
export {
  SocketIO,
  SocketIONamespace,
  ConnectionRefusedError,
  call,
  closeRoom,
  disconnect,
  emit,
  eventNameOf,
  joinRoom,
  leaveRoom,
  request,
  rooms,
  send,
} from "./app/index.js";
export type {
  App,
  AppHandler,
  BackgroundTask,
  CallOptions,
  ClientOptions,
  EmitOptions,
  ErrorHandler,
  EventHandler,
  LogOption,
  OnOptions,
  RequestContext,
  RunAddress,
  RunOptions,
  SocketIOOptions,
  SocketIONamespaceOptions,
} from "./app/index.js";
