/**
 * The wire format of socket.io's Redis adapter (`@socket.io/redis-adapter`, the classic
 * pub/sub one) and of `@socket.io/redis-emitter`, mapped to and from
 * {@link ClusterMessage}s. Same channels, same request type numbers, same encodings, so
 * that their emitter (and their nodes) talk to ours.
 *
 * - Broadcasts: msgpack `[uid, packet, { rooms, except, flags }]` on `<key>#<nsp>#`,
 *   or `<key>#<nsp>#<room>#` when exactly one room is targeted.
 * - Requests: `<key>-request#<nsp>#`, a msgpack or JSON object with a numeric `type`.
 * - Responses: `<key>-response#<nsp>#<uid>#`, the requesting node's own channel.
 * - Liveness (ours; their nodes ignore unknown request types): heartbeats on the
 *   request channel.
 *
 * Every inbound message is checked field by field and rebuilt from plain values; what
 * does not fit is garbage (RELIABILITY C7, D6).
 *
 * @module
 */
import type { ClusterMessage, SocketDetails, WireFlags, WireTarget } from "../cluster-message.js";
import { PacketType, RESERVED_EVENTS, type Packet } from "../../protocol/index.js";
import { decodeMessage, encodeMsgpack, type MessageBytes } from "./codec.js";

/** Request type numbers of socket.io's Redis adapter and emitter. */
export const RequestType = {
  SOCKETS: 0,
  ALL_ROOMS: 1,
  REMOTE_JOIN: 2,
  REMOTE_LEAVE: 3,
  REMOTE_DISCONNECT: 4,
  REMOTE_FETCH: 5,
  SERVER_SIDE_EMIT: 6,
  BROADCAST: 7,
  BROADCAST_CLIENT_COUNT: 8,
  BROADCAST_ACK: 9,
  // Ours: node liveness. Far from theirs, so that a future type of theirs never collides.
  HEARTBEAT: 100,
  INITIAL_HEARTBEAT: 101,
  ADAPTER_CLOSE: 102,
} as const;

/** The channels of one namespace. */
export interface Channels {
  /** Prefix of every broadcast channel: `<key>#<nsp>#`. */
  readonly broadcast: string;
  /** Pattern matching every broadcast channel of the namespace. */
  readonly broadcastPattern: string;
  readonly request: string;
  /** Prefix of response channels: `<key>-response#<nsp>#`. */
  readonly response: string;
}

/** Escapes the glob characters of PSUBSCRIBE so that a namespace name matches itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** The channels of namespace `nsp` under prefix `key` (default `socket.io`). */
export function channelsOf(key: string, nsp: string): Channels {
  return {
    broadcast: `${key}#${nsp}#`,
    broadcastPattern: `${escapeGlob(`${key}#${nsp}#`)}*`,
    request: `${key}-request#${nsp}#`,
    response: `${key}-response#${nsp}#`,
  };
}

/** The response channel of the node `uid`. */
export function responseChannel(channels: Channels, uid: string): string {
  return `${channels.response}${uid}#`;
}

/** One message ready to publish. */
export interface WireMessage {
  channel: string;
  payload: Buffer | string;
}

function wireTarget(opts: WireTarget): { rooms: string[]; except: string[]; flags?: WireFlags } {
  return opts.flags === undefined
    ? { rooms: opts.rooms, except: opts.except }
    : { rooms: opts.rooms, except: opts.except, flags: opts.flags };
}

/**
 * Encodes a message for the wire. Throws when its data cannot be encoded (a BigInt,
 * a cycle).
 */
export function toWire(channels: Channels, message: ClusterMessage): WireMessage {
  const request = (payload: object): WireMessage => ({
    channel: channels.request,
    payload: encodeMsgpack(payload),
  });
  const response = (to: string | undefined, payload: object): WireMessage => ({
    channel: to === undefined ? channels.response : responseChannel(channels, to),
    payload: encodeMsgpack(payload),
  });
  switch (message.type) {
    case "broadcast": {
      const { rooms } = message.opts;
      return {
        channel: rooms.length === 1 ? `${channels.broadcast}${rooms[0]}#` : channels.broadcast,
        payload: encodeMsgpack([message.uid, message.packet, wireTarget(message.opts)]),
      };
    }
    case "broadcastWithAck":
      return request({
        uid: message.uid,
        requestId: message.requestId,
        type: RequestType.BROADCAST,
        packet: message.packet,
        opts: wireTarget(message.opts),
      });
    case "socketsJoin":
    case "socketsLeave":
      return request({
        uid: message.uid,
        type: message.type === "socketsJoin" ? RequestType.REMOTE_JOIN : RequestType.REMOTE_LEAVE,
        opts: { rooms: message.opts.rooms, except: message.opts.except },
        rooms: message.rooms,
      });
    case "disconnectSockets":
      return request({
        uid: message.uid,
        type: RequestType.REMOTE_DISCONNECT,
        opts: { rooms: message.opts.rooms, except: message.opts.except },
        close: message.close,
      });
    case "fetchSockets":
      return request({
        uid: message.uid,
        requestId: message.requestId,
        type: RequestType.REMOTE_FETCH,
        opts: { rooms: message.opts.rooms, except: message.opts.except },
      });
    case "allRooms":
      return request({
        uid: message.uid,
        requestId: message.requestId,
        type: RequestType.ALL_ROOMS,
      });
    case "serverSideEmit":
      return request(
        message.requestId === undefined
          ? { uid: message.uid, type: RequestType.SERVER_SIDE_EMIT, data: message.data }
          : {
              uid: message.uid,
              requestId: message.requestId,
              type: RequestType.SERVER_SIDE_EMIT,
              data: message.data,
            },
      );
    case "heartbeat":
      return request({
        uid: message.uid,
        type: message.initial ? RequestType.INITIAL_HEARTBEAT : RequestType.HEARTBEAT,
      });
    case "close":
      return request({ uid: message.uid, type: RequestType.ADAPTER_CLOSE });
    case "broadcastClientCount":
      return response(message.to, {
        type: RequestType.BROADCAST_CLIENT_COUNT,
        requestId: message.requestId,
        clientCount: message.clientCount,
        uid: message.uid,
      });
    case "broadcastAck":
      return response(message.to, {
        type: RequestType.BROADCAST_ACK,
        requestId: message.requestId,
        packet: message.packet,
        uid: message.uid,
      });
    case "fetchSocketsResponse":
      return response(message.to, {
        type: RequestType.REMOTE_FETCH,
        requestId: message.requestId,
        sockets: message.sockets,
        uid: message.uid,
      });
    case "allRoomsResponse":
      return response(message.to, {
        type: RequestType.ALL_ROOMS,
        requestId: message.requestId,
        rooms: message.rooms,
        uid: message.uid,
      });
    case "serverSideEmitResponse":
      return response(message.to, {
        type: RequestType.SERVER_SIDE_EMIT,
        requestId: message.requestId,
        data: message.data,
        uid: message.uid,
      });
  }
}

// ---------------------------------------------------------------------------------
// Inbound: every field checked, every object rebuilt.

/** Longest node id or request id we accept (theirs are 6 characters). */
const MAX_ID_LENGTH = 128;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function own(obj: Obj, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function id(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH
    ? value
    : undefined;
}

/** A list of room names; numbers are rooms too in socket.io (`hasRoom`). */
function rooms(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const room of value) {
    if (typeof room === "string") out.push(room);
    else if (typeof room === "number" && Number.isFinite(room)) out.push(String(room));
    else return undefined;
  }
  return out;
}

function flags(value: unknown): WireFlags | undefined {
  if (!isObject(value)) return undefined;
  const out: WireFlags = {};
  for (const key of ["volatile", "compress", "local", "expectSingleResponse"] as const) {
    if (own(value, key) === true) out[key] = true;
    else if (own(value, key) === false) out[key] = false;
  }
  const timeout = own(value, "timeout");
  if (typeof timeout === "number" && Number.isFinite(timeout) && timeout >= 0) {
    out.timeout = timeout;
  }
  return out;
}

function target(value: unknown): WireTarget | undefined {
  if (!isObject(value)) return undefined;
  const r = rooms(own(value, "rooms"));
  const e = rooms(own(value, "except"));
  if (!r || !e) return undefined;
  const f = flags(own(value, "flags"));
  return f ? { rooms: r, except: e, flags: f } : { rooms: r, except: e };
}

/** An EVENT packet for `nsp`, rebuilt; the data must start with a non-reserved name. */
function eventPacket(value: unknown, nsp: string): Packet | undefined {
  if (!isObject(value)) return undefined;
  const type = own(value, "type");
  if (type !== PacketType.EVENT && type !== PacketType.BINARY_EVENT) return undefined;
  const packetNsp = own(value, "nsp") ?? "/";
  if (packetNsp !== nsp) return undefined;
  const data = own(value, "data");
  if (!Array.isArray(data) || data.length === 0) return undefined;
  const name: unknown = data[0];
  if (typeof name !== "string" && typeof name !== "number") return undefined;
  if (typeof name === "string" && RESERVED_EVENTS.has(name)) return undefined;
  // The encoder turns an EVENT holding binary into a BINARY_EVENT by itself.
  return { type: PacketType.EVENT, nsp, data };
}

function socketDetails(value: unknown): SocketDetails[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: SocketDetails[] = [];
  for (const item of value) {
    if (!isObject(item)) return undefined;
    const sid = id(own(item, "id"));
    const r = rooms(own(item, "rooms"));
    const handshake = own(item, "handshake");
    if (sid === undefined || !r || !isObject(handshake)) return undefined;
    out.push({ id: sid, handshake, rooms: r, data: own(item, "data") });
  }
  return out;
}

/** What {@link fromWire} makes of a message: one of ours, or garbage to count. */
export type Inbound = { ok: true; message: ClusterMessage } | { ok: false; reason: string };

const garbage = (reason: string): Inbound => ({ ok: false, reason });

function broadcastFromWire(value: unknown, nsp: string): Inbound {
  if (!Array.isArray(value) || value.length < 3) return garbage("not a broadcast triple");
  const uid = id(value[0]);
  const packet = eventPacket(value[1], nsp);
  const opts = target(value[2]);
  if (uid === undefined || !packet || !opts) return garbage("malformed broadcast");
  return { ok: true, message: { type: "broadcast", uid, packet, opts } };
}

function requestFromWire(obj: Obj, nsp: string): Inbound {
  const type = own(obj, "type");
  const uid = id(own(obj, "uid"));
  const requestId = id(own(obj, "requestId"));
  const ok = (message: ClusterMessage): Inbound => ({ ok: true, message });
  switch (type) {
    case RequestType.REMOTE_JOIN:
    case RequestType.REMOTE_LEAVE: {
      const opts = target(own(obj, "opts"));
      const list = rooms(own(obj, "rooms"));
      // Without opts, their adapter's older single-socket form; we never send it.
      if (!opts || !list) return garbage("malformed rooms request");
      const kind = type === RequestType.REMOTE_JOIN ? "socketsJoin" : "socketsLeave";
      return ok(
        uid === undefined
          ? { type: kind, opts, rooms: list }
          : { type: kind, uid, opts, rooms: list },
      );
    }
    case RequestType.REMOTE_DISCONNECT: {
      const opts = target(own(obj, "opts"));
      if (!opts) return garbage("malformed disconnect request");
      const close = own(obj, "close") === true;
      return ok(
        uid === undefined
          ? { type: "disconnectSockets", opts, close }
          : { type: "disconnectSockets", uid, opts, close },
      );
    }
    case RequestType.SERVER_SIDE_EMIT: {
      const data = own(obj, "data");
      if (!Array.isArray(data) || data.length === 0 || typeof data[0] !== "string") {
        return garbage("malformed serverSideEmit");
      }
      const message: ClusterMessage = { type: "serverSideEmit", data };
      if (uid !== undefined) message.uid = uid;
      if (requestId !== undefined) message.requestId = requestId;
      return ok(message);
    }
    case RequestType.BROADCAST: {
      const packet = eventPacket(own(obj, "packet"), nsp);
      const opts = target(own(obj, "opts"));
      if (uid === undefined || requestId === undefined || !packet || !opts) {
        return garbage("malformed broadcast request");
      }
      return ok({ type: "broadcastWithAck", uid, requestId, packet, opts });
    }
    case RequestType.REMOTE_FETCH: {
      const opts = target(own(obj, "opts"));
      if (uid === undefined || requestId === undefined || !opts) {
        return garbage("malformed fetch request");
      }
      return ok({ type: "fetchSockets", uid, requestId, opts });
    }
    case RequestType.ALL_ROOMS:
      if (uid === undefined || requestId === undefined) return garbage("malformed rooms request");
      return ok({ type: "allRooms", uid, requestId });
    case RequestType.HEARTBEAT:
    case RequestType.INITIAL_HEARTBEAT:
      if (uid === undefined) return garbage("heartbeat without uid");
      return ok({ type: "heartbeat", uid, initial: type === RequestType.INITIAL_HEARTBEAT });
    case RequestType.ADAPTER_CLOSE:
      if (uid === undefined) return garbage("close without uid");
      return ok({ type: "close", uid });
    default:
      return garbage("unknown request type");
  }
}

function responseFromWire(obj: Obj, to: string | undefined): Inbound {
  const requestId = id(own(obj, "requestId"));
  if (requestId === undefined) return garbage("response without requestId");
  const uid = id(own(obj, "uid"));
  const base = {
    requestId,
    ...(uid === undefined ? {} : { uid }),
    ...(to === undefined ? {} : { to }),
  };
  const type = own(obj, "type");
  const ok = (message: ClusterMessage): Inbound => ({ ok: true, message });
  if (type === RequestType.BROADCAST_CLIENT_COUNT) {
    const count = own(obj, "clientCount");
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
      return garbage("malformed client count");
    }
    return ok({ type: "broadcastClientCount", ...base, clientCount: count });
  }
  if (type === RequestType.BROADCAST_ACK) {
    return ok({ type: "broadcastAck", ...base, packet: own(obj, "packet") });
  }
  if (type === RequestType.SERVER_SIDE_EMIT) {
    return ok({ type: "serverSideEmitResponse", ...base, data: own(obj, "data") });
  }
  // Their nodes answer fetches and room listings without a type.
  if (Object.hasOwn(obj, "sockets")) {
    const sockets = socketDetails(own(obj, "sockets"));
    if (!sockets) return garbage("malformed fetch response");
    return ok({ type: "fetchSocketsResponse", ...base, sockets });
  }
  if (Object.hasOwn(obj, "rooms")) {
    const list = rooms(own(obj, "rooms"));
    if (!list) return garbage("malformed rooms response");
    return ok({ type: "allRoomsResponse", ...base, rooms: list });
  }
  return garbage("unknown response");
}

/**
 * Decodes and checks one message received on `channel` for namespace `nsp`. Never
 * throws: anything that is too large, does not decode or does not fit is garbage.
 */
export function fromWire(
  channels: Channels,
  nsp: string,
  channel: string,
  bytes: MessageBytes,
  maxSize: number,
): Inbound {
  const value = decodeMessage(bytes, maxSize);
  if (value === undefined) return garbage("undecodable or too large");
  if (channel.startsWith(channels.broadcast)) return broadcastFromWire(value, nsp);
  if (!isObject(value)) return garbage("not an object");
  if (channel === channels.request) return requestFromWire(value, nsp);
  if (channel.startsWith(channels.response)) {
    const rest = channel.slice(channels.response.length, -1);
    return responseFromWire(value, rest === "" ? undefined : rest);
  }
  return garbage("unknown channel");
}
