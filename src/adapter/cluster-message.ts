/**
 * The messages that nodes of a cluster exchange, independent of the transport that
 * carries them. A transport (Redis pub/sub in `adapter/redis/`) maps each one to its
 * wire format and back, and hands the cluster adapter only messages it has validated.
 *
 * @module
 */
import type { Packet } from "../protocol/index.js";
import type { SocketDetails } from "./contract.js";

export type { SocketDetails };

/** Broadcast flags that travel between nodes. */
export interface WireFlags {
  volatile?: boolean;
  compress?: boolean;
  local?: boolean;
  /** Ack timeout of a broadcast with acknowledgements, in ms. */
  timeout?: number;
  expectSingleResponse?: boolean;
}

/** Who a cluster operation targets, as it travels: rooms and exceptions as arrays. */
export interface WireTarget {
  rooms: string[];
  except: string[];
  flags?: WireFlags;
}

/** Message kinds. Requests carry a `requestId`; responses carry it and a `to`. */
export type ClusterMessage =
  | { type: "broadcast"; uid: string; packet: Packet; opts: WireTarget }
  | { type: "broadcastWithAck"; uid: string; requestId: string; packet: Packet; opts: WireTarget }
  | {
      type: "broadcastClientCount";
      uid?: string;
      to?: string;
      requestId: string;
      clientCount: number;
    }
  | { type: "broadcastAck"; uid?: string; to?: string; requestId: string; packet: unknown }
  | { type: "socketsJoin"; uid?: string; opts: WireTarget; rooms: string[] }
  | { type: "socketsLeave"; uid?: string; opts: WireTarget; rooms: string[] }
  | { type: "disconnectSockets"; uid?: string; opts: WireTarget; close: boolean }
  | { type: "fetchSockets"; uid: string; requestId: string; opts: WireTarget }
  | {
      type: "fetchSocketsResponse";
      uid?: string;
      to?: string;
      requestId: string;
      sockets: SocketDetails[];
    }
  | { type: "allRooms"; uid: string; requestId: string }
  | { type: "allRoomsResponse"; uid?: string; to?: string; requestId: string; rooms: string[] }
  | { type: "serverSideEmit"; uid?: string; requestId?: string; data: unknown[] }
  | { type: "serverSideEmitResponse"; uid?: string; to?: string; requestId: string; data: unknown }
  | { type: "heartbeat"; uid: string; initial: boolean }
  | { type: "close"; uid: string };

/** The kind of a message. */
export type ClusterMessageType = ClusterMessage["type"];

/** A message of one kind. */
export type MessageOf<T extends ClusterMessageType> = Extract<ClusterMessage, { type: T }>;

/** The responses, which a transport routes to the requesting node only. */
export type ClusterResponse = MessageOf<
  | "broadcastClientCount"
  | "broadcastAck"
  | "fetchSocketsResponse"
  | "allRoomsResponse"
  | "serverSideEmitResponse"
>;

const RESPONSE_TYPES: ReadonlySet<ClusterMessageType> = new Set([
  "broadcastClientCount",
  "broadcastAck",
  "fetchSocketsResponse",
  "allRoomsResponse",
  "serverSideEmitResponse",
]);

/** Whether a message answers a request. */
export function isResponse(message: ClusterMessage): message is ClusterResponse {
  return RESPONSE_TYPES.has(message.type);
}
