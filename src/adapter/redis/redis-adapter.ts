/**
 * The Redis adapter: the cluster base over Redis pub/sub, in the wire format of
 * socket.io's Redis adapter (see format.ts). This part only publishes, subscribes,
 * validates and queues; the cluster base decides.
 *
 * @module
 */
import { ClusterAdapter, type ClusterAdapterOptions } from "../cluster-adapter.js";
import type { ClusterMessage } from "../cluster-message.js";
import type { AdapterHost } from "../contract.js";
import { DEFAULT_MAX_MESSAGE_SIZE } from "./codec.js";
import { channelsOf, fromWire, responseChannel, toWire, type Channels } from "./format.js";
import { RedisLink, type BufferListener, type RedisClient } from "./link.js";

/** Options of {@link createRedisAdapter}. */
export interface RedisAdapterOptions extends ClusterAdapterOptions {
  /** Channel prefix, shared with emitters and socket.io nodes. Default `socket.io`. */
  key?: string;
  /** Largest message sent or accepted, in bytes; larger ones are dropped and counted. Default 8 MiB. */
  maxMessageSize?: number;
  /**
   * Most messages (broadcasts, room changes) kept while Redis is unreachable and sent
   * when it returns; the oldest go first. 0 drops them at once. Default 1000.
   */
  offlineQueueSize?: number;
  /** Most bytes kept in that queue. Default 16 MiB. */
  offlineQueueBytes?: number;
}

/** Creates an adapter for one namespace, as the server's `adapter` option expects. */
export type RedisAdapterFactory = (nsp: AdapterHost) => RedisAdapter;

/**
 * The adapter of one namespace in a Redis-connected cluster. Created by
 * {@link createRedisAdapter}; reach it as `io.of("/").adapter`.
 *
 * @example
 * ```ts
 * const adapter = io.of("/").adapter as RedisAdapter;
 * adapter.on("degraded", ({ reason }) => alert(reason));
 * adapter.stats.garbage; // messages dropped as garbage
 * ```
 */
export class RedisAdapter extends ClusterAdapter {
  readonly #link: RedisLink;
  readonly #channels: Channels;
  readonly #ownResponses: string;
  readonly #maxSize: number;
  #subscribed: Promise<unknown> | undefined;
  #closed = false;

  /** @internal */
  constructor(nsp: AdapterHost, link: RedisLink, opts: RedisAdapterOptions) {
    super(nsp, opts);
    this.#link = link;
    this.#channels = channelsOf(opts.key ?? "socket.io", nsp.name);
    this.#ownResponses = responseChannel(this.#channels, this.uid);
    this.#maxSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  /** Messages waiting for Redis to return, and messages dropped because it was away. */
  get offline(): { queued: number; dropped: number } {
    return { queued: this.#link.queued, dropped: this.#link.dropped };
  }

  readonly #onBroadcast: BufferListener = (message, channel) => {
    const name = channel.toString();
    // `<key>#<nsp>#<room>#`: a room this node does not hold needs no decoding.
    const room = name.slice(this.#channels.broadcast.length, -1);
    if (room !== "" && !this.rooms.has(room) && !this.nsp.sockets.has(room)) return;
    this.#handle(name, message);
  };

  readonly #onRequest: BufferListener = (message, channel) => {
    this.#handle(channel.toString(), message);
  };

  #handle(channel: string, bytes: Buffer): void {
    const inbound = fromWire(this.#channels, this.nsp.name, channel, bytes, this.#maxSize);
    if (inbound.ok) this.receive(inbound.message);
    else this.dropped();
  }

  readonly #onPublishError = (): void => {
    this.stats.publishErrors++;
  };

  /** Subscribes to the namespace's channels, then starts the heartbeat. */
  override init(): Promise<void> {
    this.#link.attach(this);
    const { sub } = this.#link;
    const swallow = (): void => {};
    const broadcast = sub.pSubscribe(this.#channels.broadcastPattern, this.#onBroadcast, true);
    const requests = sub.subscribe(
      [this.#channels.request, this.#channels.response, this.#ownResponses],
      this.#onRequest,
      true,
    );
    this.#subscribed = Promise.all([broadcast, requests]).catch(swallow);
    // Do not hold the server up while Redis is away: node-redis subscribes when it connects.
    const bounded = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.requestsTimeout);
      timer.unref?.();
      void this.#subscribed!.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    // Nor while the clients are still connecting: degraded mode is for losing Redis.
    return bounded.then(() => this.#link.whenUp(this.requestsTimeout)).then(() => super.init());
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await super.close();
    const { sub } = this.#link;
    const swallow = (): void => {};
    if (sub.isReady) {
      await Promise.all([
        sub.pUnsubscribe(this.#channels.broadcastPattern, this.#onBroadcast, true).catch(swallow),
        // One channel at a time (node-redis#2052, as socket.io's adapter does).
        sub.unsubscribe(this.#channels.request, this.#onRequest, true).catch(swallow),
        sub.unsubscribe(this.#channels.response, this.#onRequest, true).catch(swallow),
        sub.unsubscribe(this.#ownResponses, this.#onRequest, true).catch(swallow),
      ]);
    }
    this.#link.detach(this);
  }

  /** @internal */
  linkChanged(reason: string): void {
    this.transportChanged(reason);
  }

  protected override transportUp(): boolean {
    return this.#link.up;
  }

  protected override onRecovered(): void {
    this.#link.flush();
  }

  protected override publish(message: ClusterMessage, queueable: boolean): void {
    let wire;
    try {
      wire = toWire(this.#channels, message);
    } catch {
      this.stats.publishErrors++; // a BigInt or a cycle in the data
      return;
    }
    if (wire.payload.length > this.#maxSize) {
      this.stats.publishErrors++;
      return;
    }
    if (this.reachable) this.#link.send(wire, this.#onPublishError);
    else if (queueable) this.#link.enqueue(wire);
    // Heartbeats go out while our echo is missing: their return ends degraded mode.
    else if (message.type === "heartbeat") this.#link.send(wire, this.#onPublishError);
    else this.#link.dropped++;
  }
}

function isClient(value: unknown): value is RedisClient {
  return typeof (value as RedisClient | undefined)?.pSubscribe === "function";
}

/**
 * Creates the Redis adapter factory for the server's `adapter` option.
 *
 * `subClient` is put in subscriber mode; when omitted, a duplicate of `pubClient` is
 * created (and closed with the last namespace). `pubClient` must be connected by the
 * caller; give it an `error` listener and, for a recovery within a second after Redis
 * returns, the exported {@link reconnectStrategy}.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { Server } from "pushwire";
 * import { createRedisAdapter, reconnectStrategy } from "pushwire/redis";
 *
 * const pubClient = createClient({ url: "redis://127.0.0.1:6379", socket: { reconnectStrategy } });
 * await pubClient.connect();
 * const io = new Server({ adapter: createRedisAdapter(pubClient) });
 * ```
 */
export function createRedisAdapter(
  pubClient: RedisClient,
  subClient?: RedisClient | RedisAdapterOptions,
  opts?: RedisAdapterOptions,
): RedisAdapterFactory {
  const sub = isClient(subClient) ? subClient : undefined;
  const options: RedisAdapterOptions = (isClient(subClient) ? opts : subClient) ?? {};
  let link: RedisLink | undefined;
  // A function, not an arrow: socket.io calls it with `new`, and so may we.
  return function redisAdapter(nsp: AdapterHost): RedisAdapter {
    if (link === undefined || link.closed) {
      link = new RedisLink(pubClient, sub, {
        messages: options.offlineQueueSize ?? 1000,
        bytes: options.offlineQueueBytes ?? 16 * 1024 * 1024,
      });
    }
    return new RedisAdapter(nsp, link, options);
  };
}
