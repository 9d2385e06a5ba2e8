/**
 * The Flask-SocketIO-style face: `SocketIO`, the context functions (`emit`, `send`,
 * `joinRoom`, ...), `request`, `ConnectionRefusedError` and class-based namespaces.
 * See docs/flask-socketio.md.
 *
 * @module
 */
export { SocketIO, type OnOptions } from "./socketio.js";
export {
  call,
  closeRoom,
  disconnect,
  emit,
  joinRoom,
  leaveRoom,
  request,
  rooms,
  send,
  type CallOptions,
  type ClientOptions,
  type RequestContext,
} from "./context.js";
export { ConnectionRefusedError } from "./refused.js";
export {
  SocketIONamespace,
  eventNameOf,
  type SocketIONamespaceOptions,
} from "./namespace-class.js";
export type { ErrorHandler, EventHandler } from "./dispatch.js";
export type { BackgroundTask } from "./tasks.js";
export type {
  App,
  AppHandler,
  EmitOptions,
  LogOption,
  RunAddress,
  RunOptions,
  SocketIOOptions,
} from "./options.js";
