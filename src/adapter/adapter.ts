/**
 * The in-memory adapter: the rooms index of one namespace and the broadcast that walks
 * it. Public surface and room events as socket.io-adapter's `Adapter`, so that code and
 * adapters written for socket.io find the same methods.
 *
 * A socket's own room (named after its id) is implicit: it is not stored in `rooms`
 * or `sids`, and a socket appears in `sids` only once it joins another room. Broadcasts
 * to a socket id still reach it, through the host's socket map. This keeps a connected
 * socket that joined nothing free of any Set (DESIGN, "Performance principles" 4).
 *
 * Extension points for a cluster adapter (which publishes to other nodes and then
 * delivers locally through `super`): `broadcast`, `broadcastWithAck`, `addSockets`,
 * `delSockets`, `disconnectSockets`, `fetchSockets`, `serverSideEmit`, `serverCount`,
 * `init`, `close`, `persistSession`, `restoreSession`, and the protected
 * `encodeParts` / `deliver` pair that `broadcast` is made of.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import { PacketType, type Packet } from "../protocol/index.js";
import type {
  AdapterHost,
  AdapterSocket,
  BroadcastFlags,
  BroadcastOptions,
  PreparedPart,
  PrivateSessionId,
  Room,
  Session,
  SessionToPersist,
  SocketId,
  WriteFlags,
} from "./contract.js";

/** Shared flag objects, so that a broadcast allocates none. */
const WRITE_FLAGS: readonly WriteFlags[] = [
  { volatile: false, compress: true },
  { volatile: true, compress: true },
  { volatile: false, compress: false },
  { volatile: true, compress: false },
];

/** The shared flags object for one combination. @internal */
export function writeFlags(volatile: boolean, compress: boolean): WriteFlags {
  return WRITE_FLAGS[(volatile ? 1 : 0) + (compress ? 0 : 2)]!;
}

/** @internal */
export function writeFlagsOf(flags: BroadcastFlags | undefined): WriteFlags {
  return writeFlags(flags?.volatile === true, flags?.compress !== false);
}

type Visitor<A, B, C> = (socket: AdapterSocket, a: A, b: B, c: C) => void;

function visitWrite(
  socket: AdapterSocket,
  packet: Packet,
  parts: readonly PreparedPart[],
  flags: WriteFlags,
): void {
  socket.writePrepared(packet, parts, flags);
}

function visitCollect(socket: AdapterSocket, into: AdapterSocket[]): void {
  into.push(socket);
}

/**
 * The default, single-node adapter.
 *
 * @example
 * ```ts
 * const adapter = io.of("/").adapter;
 * adapter.on("join-room", (room, id) => console.log(`${id} joined ${room}`));
 * adapter.rooms.get("news")?.size; // sockets in the room "news"
 * ```
 */
export class Adapter extends EventEmitter {
  /** The namespace this adapter serves. */
  readonly nsp: AdapterHost;
  /** Room -> ids of its members. Rooms named after a socket's own id are implicit. */
  readonly rooms = new Map<Room, Set<SocketId>>();
  /** Socket id -> the rooms it joined, its own room excluded. */
  readonly sids = new Map<SocketId, Set<Room>>();

  constructor(nsp: AdapterHost) {
    super();
    this.nsp = nsp;
  }

  /** Called once when the namespace is created. Cluster adapters subscribe here. */
  init(): Promise<void> {
    return Promise.resolve();
  }

  /** Called when the namespace or the server closes. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** How many servers share this namespace (1 for the in-memory adapter). */
  serverCount(): Promise<number> {
    return Promise.resolve(1);
  }

  /**
   * Adds socket `id` to `rooms`. Emits `create-room` for each new room and `join-room`
   * for each room the socket was not in.
   */
  addAll(id: SocketId, rooms: Iterable<Room>): void {
    let joined = this.sids.get(id);
    for (const room of rooms) {
      if (room === id) continue; // implicit
      if (joined === undefined) {
        joined = new Set();
        this.sids.set(id, joined);
      }
      joined.add(room);
      let members = this.rooms.get(room);
      if (members === undefined) {
        members = new Set();
        this.rooms.set(room, members);
        this.emit("create-room", room);
      }
      if (!members.has(id)) {
        members.add(id);
        this.emit("join-room", room, id);
      }
    }
  }

  /** Removes socket `id` from `room`. Emits `leave-room`, and `delete-room` when it empties. */
  del(id: SocketId, room: Room): void {
    const joined = this.sids.get(id);
    if (joined !== undefined) {
      joined.delete(room);
      if (joined.size === 0) this.sids.delete(id);
    }
    this.#leave(room, id);
  }

  /** Removes socket `id` from every room. */
  delAll(id: SocketId): void {
    const joined = this.sids.get(id);
    if (joined === undefined) return;
    this.sids.delete(id);
    for (const room of joined) this.#leave(room, id);
  }

  #leave(room: Room, id: SocketId): void {
    const members = this.rooms.get(room);
    if (members === undefined) return;
    if (members.delete(id)) this.emit("leave-room", room, id);
    if (members.size === 0 && this.rooms.delete(room)) this.emit("delete-room", room);
  }

  /** How many rooms socket `id` joined, its own room excluded. */
  roomCount(id: SocketId): number {
    return this.sids.get(id)?.size ?? 0;
  }

  /**
   * Sends `packet` to the sockets `opts` selects. The packet is encoded once and each
   * part prepared once; every recipient gets the same objects.
   */
  broadcast(packet: Packet, opts: BroadcastOptions): void {
    packet.nsp = this.nsp.name;
    this.deliver(packet, this.encodeParts(packet), opts);
  }

  /**
   * Sends `packet` with an acknowledgement id to the sockets `opts` selects.
   * `clientCountCallback` receives how many sockets were sent the packet (once per
   * server); `ack` receives each client's response.
   */
  broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    packet.nsp = this.nsp.name;
    packet.id = this.nsp.nextAckId();
    const parts = this.encodeParts(packet);
    const flags = writeFlagsOf(opts.flags);
    let count = 0;
    const id = packet.id;
    this.#each(
      opts,
      (socket) => {
        if (!socket.expectAck(id, ack)) return;
        count++;
        socket.writePrepared(packet, parts, flags);
      },
      undefined,
      undefined,
      undefined,
    );
    clientCountCallback(count);
  }

  /** Encodes `packet` and prepares each part for sending to many sessions. */
  protected encodeParts(packet: Packet): PreparedPart[] {
    const encoded = this.nsp.encode(packet);
    const parts = new Array<PreparedPart>(encoded.length);
    for (let i = 0; i < encoded.length; i++) parts[i] = this.nsp.prepare(encoded[i]!);
    return parts;
  }

  /** Writes prepared parts to the local sockets `opts` selects. */
  protected deliver(packet: Packet, parts: readonly PreparedPart[], opts: BroadcastOptions): void {
    this.#each(opts, visitWrite, packet, parts, writeFlagsOf(opts.flags));
  }

  /** The ids of the local sockets in any of `rooms` (all sockets if empty). */
  sockets(rooms: Set<Room>): Promise<Set<SocketId>> {
    const ids = new Set<SocketId>();
    for (const socket of this.#select({ rooms })) ids.add(socket.id);
    return Promise.resolve(ids);
  }

  /** The rooms of socket `id`, its own room included, or undefined for an unknown socket. */
  socketRooms(id: SocketId): Set<Room> | undefined {
    const joined = this.sids.get(id);
    if (joined === undefined && !this.nsp.sockets.has(id)) return undefined;
    const rooms = new Set<Room>([id]);
    if (joined !== undefined) for (const room of joined) rooms.add(room);
    return rooms;
  }

  /** The local sockets `opts` selects. Cluster adapters add the other nodes' sockets. */
  fetchSockets(opts: BroadcastOptions): Promise<unknown[]> {
    return Promise.resolve(this.#select(opts));
  }

  /** Makes the sockets `opts` selects join `rooms`. */
  addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    for (const socket of this.#select(opts)) socket.join(rooms);
  }

  /** Makes the sockets `opts` selects leave `rooms`. */
  delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    for (const socket of this.#select(opts)) for (const room of rooms) socket.leave(room);
  }

  /** Disconnects the sockets `opts` selects (and their connections, with `close`). */
  disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    for (const socket of this.#select(opts)) socket.disconnect(close);
  }

  /**
   * Sends an event to the other servers of the cluster. On one node there are none:
   * an acknowledgement callback (last element) receives `(null, [])` on the next
   * microtask.
   */
  serverSideEmit(packet: unknown[]): void {
    const ack = packet[packet.length - 1];
    if (typeof ack === "function")
      queueMicrotask(() => (ack as (...a: unknown[]) => void)(null, []));
  }

  /** Keeps a disconnected socket's state for recovery. No-op without recovery. */
  persistSession(_session: SessionToPersist): void {}

  /** Restores a session by its private id, once. Always null without recovery. */
  restoreSession(_pid: PrivateSessionId, _offset: string): Promise<Session | null> {
    return Promise.resolve(null);
  }

  /** Calls `callback` with each local socket `opts` selects. */
  apply(opts: BroadcastOptions, callback: (socket: AdapterSocket) => void): void {
    this.#each(opts, callback, undefined, undefined, undefined);
  }

  /** The local sockets `opts` selects, as an array (safe against changes while used). */
  #select(opts: BroadcastOptions): AdapterSocket[] {
    const selected: AdapterSocket[] = [];
    this.#each(opts, visitCollect, selected, undefined, undefined);
    return selected;
  }

  /** Whether socket `id` is in one of the `except` rooms. */
  #excluded(id: SocketId, except: Set<Room>): boolean {
    for (const room of except) {
      if (room === id || this.rooms.get(room)?.has(id) === true) return true;
    }
    return false;
  }

  #each<A, B, C>(opts: BroadcastOptions, visit: Visitor<A, B, C>, a: A, b: B, c: C): void {
    const sockets = this.nsp.sockets;
    const except = opts.except !== undefined && opts.except.size > 0 ? opts.except : null;
    const rooms = opts.rooms;
    if (rooms.size === 0) {
      for (const socket of sockets.values()) {
        if (except === null || !this.#excluded(socket.id, except)) visit(socket, a, b, c);
      }
      return;
    }
    // A room named after a socket id holds that socket (implicitly) plus whoever joined
    // it by name; with more than one room a socket may be reached twice.
    const seen = rooms.size > 1 ? new Set<SocketId>() : null;
    for (const room of rooms) {
      const own = sockets.get(room);
      if (own !== undefined && (seen === null || !seen.has(room))) {
        seen?.add(room);
        if (except === null || !this.#excluded(room, except)) visit(own, a, b, c);
      }
      const members = this.rooms.get(room);
      if (members === undefined) continue;
      for (const id of members) {
        if (seen !== null) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        if (except !== null && this.#excluded(id, except)) continue;
        const socket = sockets.get(id);
        if (socket !== undefined) visit(socket, a, b, c);
      }
    }
  }
}

/** Whether a broadcast `packet` may be kept for replay: a plain EVENT, no ack, not volatile. */
export function isReplayable(packet: Packet, opts: BroadcastOptions): boolean {
  return (
    packet.type === PacketType.EVENT && packet.id === undefined && opts.flags?.volatile !== true
  );
}
