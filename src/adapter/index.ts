/**
 * The adapter layer: the rooms index and broadcast of a namespace, its contract with
 * the server layer, and connection state recovery.
 *
 * @module
 */
export { Adapter } from "./adapter.js";
export { SessionAwareAdapter, RECOVERY_DEFAULTS } from "./session-aware.js";
export type {
  AdapterHost,
  AdapterSocket,
  BroadcastFlags,
  BroadcastOptions,
  PreparedPart,
  PrivateSessionId,
  RecoveryConfig,
  Room,
  Session,
  SessionToPersist,
  SocketDetails,
  SocketId,
  WriteFlags,
} from "./contract.js";
