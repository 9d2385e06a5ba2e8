/**
 * Broadcasts: `io.to(room).except(other).volatile.emit(...)`, the socket-set operations
 * (`fetchSockets`, `socketsJoin`, ...), and the sockets `fetchSockets` returns from
 * other nodes (`RemoteSocket`). The operator only describes the target; the adapter
 * walks the rooms, encodes once and writes to each recipient.
 *
 * @module
 */
import type { Adapter } from "../adapter/adapter.js";
import type { BroadcastFlags, Room, SocketDetails, SocketId } from "../adapter/contract.js";
import { PushwireError } from "../errors.js";
import { PacketType, RESERVED_EVENTS, type Packet } from "../protocol/index.js";
import type { Handshake } from "./options.js";
import type {
  AllButLast,
  DecorateAcknowledgements,
  EventNames,
  EventNamesWithError,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
  TypedEventBroadcaster,
} from "./typed-events.js";

/** @internal */
export function reservedEventError(ev: unknown): PushwireError {
  return new PushwireError(
    "PW_ERR_SERVER_RESERVED_EVENT",
    `"${String(ev)}" is a reserved event name`,
  );
}

/** An ack error with the responses received before it (socket.io's `err.responses`). */
export type AckError = PushwireError & { responses?: unknown };

/** @internal */
export function ackTimeoutError(responses?: unknown): AckError {
  const err: AckError = new PushwireError("PW_ERR_ACK_TIMEOUT");
  if (responses !== undefined) err.responses = responses;
  return err;
}

function addRooms(into: Set<Room>, room: Room | Room[]): Set<Room> {
  const rooms = new Set(into);
  if (Array.isArray(room)) for (const r of room) rooms.add(r);
  else rooms.add(room);
  return rooms;
}

type Flags = BroadcastFlags & { expectSingleResponse?: boolean };

function isLocalSocket(socket: unknown): boolean {
  return typeof (socket as { writePrepared?: unknown }).writePrepared === "function";
}

/**
 * A target for a broadcast: rooms, exceptions and flags. Each modifier returns a new
 * operator; `emit` sends.
 *
 * @example
 * ```ts
 * io.to("room1").except("room2").emit("news", { id: 1 });
 * const responses = await io.timeout(5000).emitWithAck("poll");
 * ```
 */
export class BroadcastOperator<
  EmitEvents extends EventsMap,
  SocketData,
> implements TypedEventBroadcaster<EmitEvents> {
  constructor(
    private readonly adapter: Adapter,
    private readonly rooms: Set<Room> = new Set(),
    private readonly exceptRooms: Set<Room> = new Set(),
    private readonly flags: Flags = {},
  ) {}

  /**
   * Targets the sockets in `room` (added to the rooms already targeted).
   *
   * @example
   * ```ts
   * io.to("room1").to(["room2", "room3"]).emit("hello");
   * ```
   */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(
      this.adapter,
      addRooms(this.rooms, room),
      this.exceptRooms,
      this.flags,
    );
  }

  /** Same as {@link to}. */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.to(room);
  }

  /**
   * Leaves out the sockets in `room`.
   *
   * @example
   * ```ts
   * io.except("muted").emit("chat", text);
   * ```
   */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(
      this.adapter,
      this.rooms,
      addRooms(this.exceptRooms, room),
      this.flags,
    );
  }

  /**
   * Asks for (or refuses) permessage-deflate on this broadcast.
   *
   * @example
   * ```ts
   * io.compress(false).emit("big", payload);
   * ```
   */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.adapter, this.rooms, this.exceptRooms, {
      ...this.flags,
      compress,
    });
  }

  /**
   * Lets the broadcast be dropped for clients that are not ready to receive it.
   *
   * @example
   * ```ts
   * io.volatile.emit("position", x, y);
   * ```
   */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.adapter, this.rooms, this.exceptRooms, {
      ...this.flags,
      volatile: true,
    });
  }

  /**
   * Delivers to this node's sockets only (with a cluster adapter).
   *
   * @example
   * ```ts
   * io.local.emit("node-only");
   * ```
   */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.adapter, this.rooms, this.exceptRooms, {
      ...this.flags,
      local: true,
    });
  }

  /**
   * Waits at most `timeout` ms for every recipient's acknowledgement.
   *
   * @example
   * ```ts
   * io.timeout(1000).emit("poll", (err, responses) => {});
   * ```
   */
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return new BroadcastOperator(this.adapter, this.rooms, this.exceptRooms, {
      ...this.flags,
      timeout,
    });
  }

  /**
   * Sends an event to every targeted socket. With a callback last, the callback
   * receives `(err, responses)` once every recipient answered or the timeout elapsed.
   *
   * @example
   * ```ts
   * io.to("room1").emit("hello", "world");
   * ```
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    if (RESERVED_EVENTS.has(ev as string)) throw reservedEventError(ev);
    const data: unknown[] = [ev, ...(args as unknown[])];
    const packet: Packet = { type: PacketType.EVENT, nsp: "/", data };
    const opts = { rooms: this.rooms, except: this.exceptRooms, flags: this.flags };
    if (typeof data[data.length - 1] !== "function") {
      this.adapter.broadcast(packet, opts);
      return true;
    }
    const ack = data.pop() as (err: Error | null, responses: unknown) => void;
    new BroadcastAck(this.adapter, this.flags, ack).start(packet, opts);
    return true;
  }

  /**
   * Sends an event and resolves with every recipient's response (rejects on timeout,
   * with the responses received so far in `err.responses`).
   *
   * @example
   * ```ts
   * const responses = await io.timeout(1000).emitWithAck("poll");
   * ```
   */
  emitWithAck<Ev extends EventNamesWithError<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>> {
    return new Promise((resolve, reject) => {
      const callback = (err: AckError | null, responses: unknown): void => {
        if (err) {
          err.responses = responses;
          reject(err);
        } else resolve(responses as FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>);
      };
      (this.emit as (ev: unknown, ...a: unknown[]) => boolean)(
        ev,
        ...(args as unknown[]),
        callback,
      );
    });
  }

  /**
   * The ids of the targeted sockets on this node (deprecated in socket.io; prefer
   * {@link fetchSockets}).
   */
  allSockets(): Promise<Set<SocketId>> {
    return this.adapter.sockets(this.rooms);
  }

  /**
   * The targeted sockets: local `Socket` objects, and `RemoteSocket`s for other nodes.
   *
   * @example
   * ```ts
   * const sockets = await io.in("room1").fetchSockets();
   * for (const socket of sockets) socket.emit("hello");
   * ```
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.adapter
      .fetchSockets({ rooms: this.rooms, except: this.exceptRooms, flags: this.flags })
      .then((sockets) =>
        sockets.map((socket) =>
          isLocalSocket(socket)
            ? (socket as RemoteSocket<EmitEvents, SocketData>)
            : new RemoteSocket<EmitEvents, SocketData>(this.adapter, socket as SocketDetails),
        ),
      );
  }

  /**
   * Makes the targeted sockets join `room`.
   *
   * @example
   * ```ts
   * io.in("room1").socketsJoin(["room2", "room3"]);
   * ```
   */
  socketsJoin(room: Room | Room[]): void {
    void this.adapter.addSockets(
      { rooms: this.rooms, except: this.exceptRooms, flags: this.flags },
      Array.isArray(room) ? room : [room],
    );
  }

  /**
   * Makes the targeted sockets leave `room`.
   *
   * @example
   * ```ts
   * io.in("room1").socketsLeave("room2");
   * ```
   */
  socketsLeave(room: Room | Room[]): void {
    void this.adapter.delSockets(
      { rooms: this.rooms, except: this.exceptRooms, flags: this.flags },
      Array.isArray(room) ? room : [room],
    );
  }

  /**
   * Disconnects the targeted sockets (and closes their connections with `close`).
   *
   * @example
   * ```ts
   * io.in("room1").disconnectSockets(true);
   * ```
   */
  disconnectSockets(close = false): void {
    void this.adapter.disconnectSockets(
      { rooms: this.rooms, except: this.exceptRooms, flags: this.flags },
      close,
    );
  }
}

/**
 * The state of one broadcast with acknowledgements: complete when every server
 * reported its recipient count and every recipient answered, or timed out.
 */
class BroadcastAck {
  readonly #responses: unknown[] = [];
  #expectedServers = -1;
  #servers = 0;
  #expectedClients = 0;
  #done = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #packetId: number | undefined;

  constructor(
    private readonly adapter: Adapter,
    private readonly flags: Flags,
    private readonly ack: (err: Error | null, responses: unknown) => void,
  ) {}

  start(packet: Packet, opts: { rooms: Set<Room>; except: Set<Room>; flags: Flags }): void {
    // Without timeout() the wait is 0 ms, as in socket.io: acknowledgements of a
    // broadcast are meant to be used with a timeout.
    this.#timer = setTimeout(() => this.#timeout(), this.flags.timeout ?? 0);
    this.adapter.broadcastWithAck(
      packet,
      opts,
      (clientCount) => {
        this.#expectedClients += clientCount;
        this.#servers++;
        this.#check();
      },
      (response) => {
        this.#responses.push(response);
        this.#check();
      },
    );
    this.#packetId = packet.id;
    void this.adapter.serverCount().then((count) => {
      this.#expectedServers = count;
      this.#check();
    });
  }

  #check(): void {
    if (
      this.#done ||
      this.#expectedServers !== this.#servers ||
      this.#responses.length < this.#expectedClients
    ) {
      return;
    }
    this.#done = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.ack(null, this.flags.expectSingleResponse ? this.#responses[0] : this.#responses);
  }

  #timeout(): void {
    if (this.#done) return;
    this.#done = true;
    const id = this.#packetId;
    if (id !== undefined)
      for (const socket of this.adapter.nsp.sockets.values()) socket.forgetAck(id);
    const responses = this.flags.expectSingleResponse ? null : this.#responses;
    this.ack(ackTimeoutError(responses), responses);
  }
}

/**
 * A socket as `fetchSockets()` returns it from another node: its details, and the
 * operations that work across the cluster.
 *
 * @example
 * ```ts
 * const [remote] = await io.in(userId).fetchSockets();
 * remote.emit("hello"); remote.join("room1"); remote.disconnect();
 * ```
 */
export class RemoteSocket<
  EmitEvents extends EventsMap,
  SocketData,
> implements TypedEventBroadcaster<EmitEvents> {
  readonly id: SocketId;
  readonly handshake: Handshake;
  readonly rooms: Set<Room>;
  readonly data: SocketData;
  readonly #operator: BroadcastOperator<EmitEvents, SocketData>;

  constructor(adapter: Adapter, details: SocketDetails) {
    this.id = details.id;
    this.handshake = details.handshake as Handshake;
    this.rooms = new Set(details.rooms);
    this.data = details.data as SocketData;
    // One response, as socket.emit() with an ack gives.
    this.#operator = new BroadcastOperator(adapter, new Set([this.id]), new Set(), {
      expectSingleResponse: true,
    });
  }

  /** Waits at most `timeout` ms for the acknowledgement. */
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return this.#operator.timeout(timeout);
  }

  /** Sends an event to this socket. */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.#operator.emit(ev, ...args);
  }

  /** Makes this socket join `room`. */
  join(room: Room | Room[]): void {
    this.#operator.socketsJoin(room);
  }

  /** Makes this socket leave `room`. */
  leave(room: Room): void {
    this.#operator.socketsLeave(room);
  }

  /** Disconnects this socket (and closes its connection with `close`). */
  disconnect(close = false): this {
    this.#operator.disconnectSockets(close);
    return this;
  }
}
