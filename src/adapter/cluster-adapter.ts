/**
 * The cluster base: an in-memory adapter that also tells the other nodes of a cluster
 * what it does, answers their requests, and knows which of them are alive. A transport
 * (Redis pub/sub in `adapter/redis/`) only publishes, subscribes and validates; every
 * decision is made here.
 *
 * - Local delivery never depends on the transport: a broadcast reaches this node's
 *   sockets even when publishing fails (socket.io-adapter 2.5.7, RELIABILITY C1).
 * - Requests (`fetchSockets`, `serverSideEmitWithAck`) wait only for nodes known to be
 *   alive, and fail within `requestsTimeout` naming those that did not answer. While
 *   the transport is down they fail at once: a partial answer would look complete.
 * - Liveness: a heartbeat every `heartbeatInterval`; a node silent for
 *   `heartbeatTimeout` is dropped. A node that stops hearing its own heartbeats back
 *   declares itself degraded (a partition that closes no socket, RELIABILITY C3).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { PushwireError } from "../errors.js";
import type { Packet } from "../protocol/index.js";
import { Adapter } from "./adapter.js";
import type {
  ClusterMessage,
  MessageOf,
  SocketDetails,
  WireFlags,
  WireTarget,
} from "./cluster-message.js";
import { NodeTable } from "./cluster-nodes.js";
import { PendingRequests } from "./cluster-requests.js";
import type { AdapterHost, AdapterSocket, BroadcastOptions, Room } from "./contract.js";

/** Options of a cluster adapter. */
export interface ClusterAdapterOptions {
  /** How long a request waits for the other nodes, in ms. Default 5000. */
  requestsTimeout?: number;
  /** How often a node announces itself, in ms. Default 5000. */
  heartbeatInterval?: number;
  /** After how long without a heartbeat a node is considered gone, in ms. Default 10000. */
  heartbeatTimeout?: number;
  /** Most requests waiting for answers per namespace. Default 1000. */
  maxPendingRequests?: number;
  /**
   * Where state changes are reported (degraded, recovered). Default: `console.warn`.
   * Called on transitions only, never per message.
   */
  log?: (message: string) => void;
}

/** Counters of one namespace's cluster traffic. */
export interface ClusterStats {
  /** Messages handed to the transport. */
  published: number;
  /** Messages that could not be encoded or whose publish failed. */
  publishErrors: number;
  /** Messages received from other nodes and acted on. */
  received: number;
  /** Messages dropped as garbage: undecodable, too large, malformed (RELIABILITY C7). */
  garbage: number;
  /** Valid messages that failed while applied locally (e.g. data that cannot be encoded). */
  applyErrors: number;
  /** Times the node entered degraded mode. */
  degradedCount: number;
}

/** What `degraded` and `recovered` events carry. */
export interface ClusterStateEvent {
  /** The namespace. */
  nsp: string;
  /** Why the state changed. */
  reason: string;
  /** For `recovered`: how long the node was degraded, in ms. */
  downtime?: number;
}

const now = (): number => performance.now();

function toWire(opts: BroadcastOptions): WireTarget {
  const target: WireTarget = {
    rooms: [...opts.rooms],
    except: opts.except === undefined ? [] : [...opts.except],
  };
  const f = opts.flags;
  if (f !== undefined) {
    const flags: WireFlags = {};
    if (f.volatile !== undefined) flags.volatile = f.volatile;
    if (f.compress !== undefined) flags.compress = f.compress;
    if (f.timeout !== undefined) flags.timeout = f.timeout;
    if (f.expectSingleResponse !== undefined) flags.expectSingleResponse = f.expectSingleResponse;
    target.flags = flags;
  }
  return target;
}

function fromWire(target: WireTarget): BroadcastOptions {
  return {
    rooms: new Set(target.rooms),
    except: new Set(target.except),
    // Applied here and nowhere else: never re-published.
    flags: { ...target.flags, local: true },
  };
}

function describe(socket: AdapterSocket): SocketDetails {
  return {
    id: socket.id,
    handshake: socket.handshake,
    rooms: [...socket.rooms],
    data: socket.data,
  };
}

/**
 * A cluster adapter without a transport. A subclass implements {@link publish} and
 * {@link transportUp}, calls {@link receive} with each validated message, and
 * {@link transportChanged} when its connection comes or goes.
 *
 * @example
 * ```ts
 * class BusAdapter extends ClusterAdapter {
 *   protected publish(message: ClusterMessage) { bus.send(message); }
 *   protected transportUp() { return bus.connected; }
 * }
 * ```
 */
export abstract class ClusterAdapter extends Adapter {
  /** This node's id in the cluster, fresh for each adapter. */
  readonly uid: string = randomBytes(6).toString("hex");
  /** Counters, for metrics. */
  readonly stats: ClusterStats = {
    published: 0,
    publishErrors: 0,
    received: 0,
    garbage: 0,
    applyErrors: 0,
    degradedCount: 0,
  };

  protected readonly requestsTimeout: number;
  protected readonly heartbeatInterval: number;
  protected readonly heartbeatTimeout: number;
  readonly #log: (message: string) => void;
  readonly #nodes = new NodeTable();
  readonly #requests: PendingRequests;
  /** Broadcasts with acks this node sent: their client counts and acks come back. */
  readonly #acks = new Map<string, Pick<AckRequest, "count" | "ack">>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastEcho = now();
  #stale = false;
  #degradedSince: number | undefined;
  #closed = false;
  #seq = 0;

  constructor(nsp: AdapterHost, opts: ClusterAdapterOptions = {}) {
    super(nsp);
    this.requestsTimeout = opts.requestsTimeout ?? 5000;
    this.heartbeatInterval = opts.heartbeatInterval ?? 5000;
    this.heartbeatTimeout = opts.heartbeatTimeout ?? 10_000;
    this.#log = opts.log ?? ((message) => console.warn(message));
    this.#requests = new PendingRequests(this.requestsTimeout, opts.maxPendingRequests ?? 1000);
  }

  /**
   * Hands a message to the transport. Must never throw; `queueable` messages may wait
   * while the transport is down, the others are dropped then.
   */
  protected abstract publish(message: ClusterMessage, queueable: boolean): void;

  /** Whether the transport is connected (before checking that our heartbeats come back). */
  protected abstract transportUp(): boolean;

  /** Whether the other nodes can be reached: the transport is up and echoes our heartbeats. */
  get reachable(): boolean {
    return this.transportUp() && !this.#stale;
  }

  /** Ids of the other nodes known to be alive in this namespace. */
  get nodes(): string[] {
    return this.#nodes.ids();
  }

  /** Starts the heartbeat. A subclass subscribes first, then calls `super.init()`. */
  override init(): Promise<void> {
    this.#lastEcho = now();
    this.publish({ type: "heartbeat", uid: this.uid, initial: true }, false);
    this.#timer = setInterval(() => this.#tick(), this.heartbeatInterval);
    this.#timer.unref?.();
    if (!this.transportUp()) this.#enterDegraded("transport not connected");
    return Promise.resolve();
  }

  /** Says goodbye to the other nodes and fails what still waits for them. */
  override close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#timer);
    this.publish({ type: "close", uid: this.uid }, false);
    this.#requests.rejectAll(new PushwireError("PW_ERR_CLUSTER_CLOSED"));
    this.#acks.clear();
    return Promise.resolve();
  }

  /** 1 + the other live nodes. */
  override serverCount(): Promise<number> {
    return Promise.resolve(1 + this.#nodes.size);
  }

  #tick(): void {
    const t = now();
    this.publish({ type: "heartbeat", uid: this.uid, initial: false }, false);
    if (!this.transportUp()) return;
    // Our own heartbeats come back through the transport; when they stop, the link is
    // broken even if no socket closed (a blackhole, RELIABILITY C3).
    if (!this.#stale && t - this.#lastEcho > this.heartbeatTimeout) {
      this.#stale = true;
      this.#enterDegraded("own heartbeats not echoed");
      return;
    }
    if (this.#degradedSince !== undefined) return; // peers' silence is ours while degraded
    for (const uid of this.#nodes.expire(t - this.heartbeatTimeout)) this.#nodeGone(uid, "expired");
  }

  /** The transport calls this when its connection comes up or goes down. */
  protected transportChanged(reason: string): void {
    if (this.#closed) return;
    if (this.reachable) this.#leaveDegraded(reason);
    else this.#enterDegraded(reason);
  }

  #enterDegraded(reason: string): void {
    if (this.#degradedSince !== undefined) return;
    this.#degradedSince = now();
    this.stats.degradedCount++;
    this.#log(
      `pushwire cluster ${this.nsp.name}: degraded (${reason}); ` +
        "local delivery continues, other nodes unreachable",
    );
    this.emit("degraded", { nsp: this.nsp.name, reason } satisfies ClusterStateEvent);
  }

  #leaveDegraded(reason: string): void {
    if (this.#degradedSince === undefined) return;
    const downtime = Math.round(now() - this.#degradedSince);
    this.#degradedSince = undefined;
    this.#lastEcho = now();
    // Their heartbeats could not reach us: give each node a fresh period, and ask all
    // of them to answer at once.
    this.#nodes.refresh(now());
    this.publish({ type: "heartbeat", uid: this.uid, initial: true }, false);
    this.#log(`pushwire cluster ${this.nsp.name}: recovered (${reason}) after ${downtime} ms`);
    this.onRecovered();
    this.emit("recovered", { nsp: this.nsp.name, reason, downtime } satisfies ClusterStateEvent);
  }

  /** Called when the node leaves degraded mode, before the `recovered` event. */
  protected onRecovered(): void {}

  #nodeGone(uid: string, why: string): void {
    if (why !== "expired" && !this.#nodes.remove(uid)) return;
    this.#requests.forget(uid);
    this.emit("node-left", uid, why);
  }

  #nextId(): string {
    return `${this.uid}-${(this.#seq++).toString(36)}`;
  }

  #send(message: ClusterMessage, queueable: boolean): void {
    this.stats.published++;
    this.publish(message, queueable);
  }

  // -- Outgoing: every operation acts locally and tells the other nodes. ------------

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    packet.nsp = this.nsp.name;
    if (opts.flags?.local !== true) {
      this.#send({ type: "broadcast", uid: this.uid, packet, opts: toWire(opts) }, true);
    }
    super.broadcast(packet, opts);
  }

  override broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    packet.nsp = this.nsp.name;
    if (opts.flags?.local !== true && this.reachable) {
      const requestId = this.#nextId();
      this.#acks.set(requestId, { count: clientCountCallback, ack });
      // The server layer times the acks out; we only forget the request after that.
      const timer = setTimeout(
        () => this.#acks.delete(requestId),
        opts.flags?.timeout ?? this.requestsTimeout,
      );
      timer.unref?.();
      this.#send(
        { type: "broadcastWithAck", uid: this.uid, requestId, packet, opts: toWire(opts) },
        false,
      );
    }
    super.broadcastWithAck(packet, opts, clientCountCallback, ack);
  }

  override addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    if (opts.flags?.local !== true) {
      this.#send({ type: "socketsJoin", uid: this.uid, opts: toWire(opts), rooms }, true);
    }
    super.addSockets(opts, rooms);
  }

  override delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    if (opts.flags?.local !== true) {
      this.#send({ type: "socketsLeave", uid: this.uid, opts: toWire(opts), rooms }, true);
    }
    super.delSockets(opts, rooms);
  }

  override disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    if (opts.flags?.local !== true) {
      this.#send({ type: "disconnectSockets", uid: this.uid, opts: toWire(opts), close }, true);
    }
    super.disconnectSockets(opts, close);
  }

  /** Fails at once when the cluster cannot be reached, so a partial answer never passes for whole. */
  #request(
    what: string,
    message: (requestId: string) => ClusterMessage,
    collect: (uid: string | undefined, response: unknown) => void,
  ): Promise<void> {
    if (this.#closed) return Promise.reject(new PushwireError("PW_ERR_CLUSTER_CLOSED"));
    if (!this.reachable) {
      return Promise.reject(
        new PushwireError(
          "PW_ERR_CLUSTER_UNAVAILABLE",
          `cannot ${what}: the cluster transport is unavailable (degraded mode)`,
        ),
      );
    }
    const requestId = this.#nextId();
    const done = this.#requests.add(requestId, what, this.#nodes.ids(), collect);
    if (this.#requests.has(requestId)) this.#send(message(requestId), false);
    return done;
  }

  /** The sockets `opts` selects on every node: local ones, then the others' details. */
  override async fetchSockets(opts: BroadcastOptions): Promise<unknown[]> {
    const local = await super.fetchSockets(opts);
    if (opts.flags?.local === true) return local;
    const remote: SocketDetails[] = [];
    await this.#request(
      "fetchSockets",
      (requestId) => ({ type: "fetchSockets", uid: this.uid, requestId, opts: toWire(opts) }),
      (_uid, sockets) => remote.push(...(sockets as SocketDetails[])),
    );
    return [...local, ...remote];
  }

  /**
   * Sends `[event, ...args]` to the other nodes. With a callback as last element, it
   * receives `(err, responses)` once every live node answered, or an error (with the
   * responses so far) after `requestsTimeout`.
   */
  override serverSideEmit(packet: unknown[]): void {
    const last = packet[packet.length - 1];
    if (typeof last !== "function") {
      this.#send({ type: "serverSideEmit", uid: this.uid, data: packet }, true);
      return;
    }
    const ack = last as (err: Error | null, responses: unknown[]) => void;
    const data = packet.slice(0, -1);
    const responses: unknown[] = [];
    this.#request(
      "serverSideEmit",
      (requestId) => ({ type: "serverSideEmit", uid: this.uid, requestId, data }),
      (_uid, response) => responses.push(response),
    ).then(
      () => ack(null, responses),
      (err: Error) => ack(err, responses),
    );
  }

  // -- Incoming -----------------------------------------------------------------------

  /** The transport calls this for each validated message; the adapter's own are ignored. */
  protected receive(message: ClusterMessage): void {
    if (this.#closed) return;
    if (message.uid === this.uid) {
      if (message.type === "heartbeat") this.#echo();
      return;
    }
    this.stats.received++;
    try {
      this.#apply(message);
    } catch {
      // Data from another node that cannot be delivered here (e.g. too deep to encode).
      this.stats.applyErrors++;
    }
  }

  /** Counts a message the transport dropped as garbage. */
  protected dropped(): void {
    this.stats.garbage++;
  }

  #echo(): void {
    this.#lastEcho = now();
    if (this.#stale) {
      this.#stale = false;
      if (this.reachable) this.#leaveDegraded("own heartbeats echoed again");
    }
  }

  #alive(uid: string | undefined): void {
    // Messages without a uid come from emitters, which are not nodes.
    if (uid === undefined || uid === "emitter") return;
    if (this.#nodes.touch(uid, now())) this.emit("node-joined", uid);
  }

  #apply(message: ClusterMessage): void {
    switch (message.type) {
      case "heartbeat":
        this.#alive(message.uid);
        if (message.initial)
          this.publish({ type: "heartbeat", uid: this.uid, initial: false }, false);
        return;
      case "close":
        this.#nodeGone(message.uid, "closed");
        return;
      case "broadcast":
        super.broadcast(message.packet, fromWire(message.opts));
        return;
      case "socketsJoin":
        super.addSockets(fromWire(message.opts), message.rooms);
        return;
      case "socketsLeave":
        super.delSockets(fromWire(message.opts), message.rooms);
        return;
      case "disconnectSockets":
        super.disconnectSockets(fromWire(message.opts), message.close);
        return;
      case "broadcastWithAck":
        this.#onBroadcastWithAck(message);
        return;
      case "fetchSockets":
        this.#onFetchSockets(message);
        return;
      case "allRooms":
        this.#respond({
          type: "allRoomsResponse",
          uid: this.uid,
          to: message.uid,
          requestId: message.requestId,
          rooms: [...this.rooms.keys()],
        });
        return;
      case "serverSideEmit":
        this.#onServerSideEmit(message);
        return;
      case "broadcastClientCount":
        this.#acks.get(message.requestId)?.count(message.clientCount);
        return;
      case "broadcastAck":
        this.#acks.get(message.requestId)?.ack(message.packet);
        return;
      case "fetchSocketsResponse":
        this.#requests.answer(message.requestId, message.uid, message.sockets);
        return;
      case "serverSideEmitResponse":
        this.#requests.answer(message.requestId, message.uid, message.data);
        return;
      case "allRoomsResponse":
        return; // this node never asks: socket.io's allRooms is not part of the contract
    }
  }

  #respond(message: ClusterMessage): void {
    this.#send(message, false);
  }

  #onBroadcastWithAck(message: MessageOf<"broadcastWithAck">): void {
    const { uid: to, requestId } = message;
    super.broadcastWithAck(
      message.packet,
      fromWire(message.opts),
      (clientCount) =>
        this.#respond({ type: "broadcastClientCount", uid: this.uid, to, requestId, clientCount }),
      (...args) =>
        this.#respond({ type: "broadcastAck", uid: this.uid, to, requestId, packet: args[0] }),
    );
  }

  #onFetchSockets(message: MessageOf<"fetchSockets">): void {
    void super.fetchSockets(fromWire(message.opts)).then((sockets) => {
      this.#respond({
        type: "fetchSocketsResponse",
        uid: this.uid,
        to: message.uid,
        requestId: message.requestId,
        sockets: (sockets as AdapterSocket[]).map(describe),
      });
    });
  }

  #onServerSideEmit(message: MessageOf<"serverSideEmit">): void {
    const { uid: to, requestId } = message;
    if (requestId === undefined || to === undefined) {
      this.nsp.onServerSideEmit(message.data);
      return;
    }
    let answered = false;
    const reply = (...args: unknown[]): void => {
      if (answered) return;
      answered = true;
      this.#respond({
        type: "serverSideEmitResponse",
        uid: this.uid,
        to,
        requestId,
        data: args[0],
      });
    };
    this.nsp.onServerSideEmit([...message.data, reply]);
  }
}

interface AckRequest {
  count: (clientCount: number) => void;
  ack: (...args: unknown[]) => void;
}
