/**
 * The Engine.IO v4 layer: the server, its sessions, and the pure packet codec.
 *
 * @module
 */
export { EngineServer } from "./server.js";
export type { ConnectionErrorEvent, EngineServerEventMap, ResponseHeaders } from "./server.js";
export { EngineSession } from "./session.js";
export type { EngineSessionEvents } from "./session.js";
export { PreparedMessage, prepareMessage } from "./prepared.js";
export type {
  AllowRequestCallback,
  CookieOptions,
  CorsOptions,
  CustomOrigin,
  EngineServerOptions,
  HttpCompressionOptions,
  StaticOrigin,
} from "./options.js";
export type {
  CloseReason,
  EngineConnection,
  RawData,
  RequestInfo,
  SendOptions,
} from "./connection.js";
export {
  PAYLOAD_SEPARATOR,
  decodePacket,
  decodePayload,
  encodePacket,
  encodePayload,
} from "./codec.js";
export type { EnginePacket, EnginePacketType } from "./codec.js";
