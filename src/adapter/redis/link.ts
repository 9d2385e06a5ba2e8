/**
 * The Redis connections of one adapter factory, shared by its namespaces: the publish
 * client, the subscribe client, whether both are usable, and the bounded queue of
 * messages that wait while they are not.
 *
 * @module
 */
import type { WireMessage } from "./format.js";

/** A subscription listener in node-redis buffer mode. */
export type BufferListener = (message: Buffer, channel: Buffer) => unknown;

/**
 * What pushwire/redis uses of a Redis client. A node-redis v5 client
 * (`createClient()` from the `redis` package) fits.
 */
export interface RedisClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  readonly options?: { socket?: object } | undefined;
  connect(): Promise<unknown>;
  publish(channel: string, message: string | Buffer): Promise<unknown>;
  subscribe(
    channels: string | string[],
    listener: BufferListener,
    bufferMode: true,
  ): Promise<unknown>;
  unsubscribe(
    channels: string | string[],
    listener: BufferListener,
    bufferMode: true,
  ): Promise<unknown>;
  pSubscribe(
    patterns: string | string[],
    listener: BufferListener,
    bufferMode: true,
  ): Promise<unknown>;
  pUnsubscribe(
    patterns: string | string[],
    listener: BufferListener,
    bufferMode: true,
  ): Promise<unknown>;
  duplicate(overrides?: object): RedisClient;
  destroy(): void;
  on(event: string, listener: (err: Error) => void): unknown;
  off(event: string, listener: (err: Error) => void): unknown;
}

/**
 * A reconnect strategy for node-redis that never gives up and retries at least every
 * 600 ms, so that cross-node delivery resumes within about a second of Redis coming
 * back (node-redis' default waits up to 2.2 s, and gives up after a socket timeout).
 *
 * @example
 * ```ts
 * const client = createClient({ url, socket: { reconnectStrategy } });
 * ```
 */
export function reconnectStrategy(retries: number): number {
  return Math.min(50 * 2 ** retries, 500) + Math.floor(Math.random() * 100);
}

/** Limits of the offline queue. */
export interface OfflineQueueLimits {
  /** Most messages waiting while Redis is unreachable; the oldest are dropped first. */
  readonly messages: number;
  /** Most bytes waiting. */
  readonly bytes: number;
}

/** What a link tells the adapters that use it. */
export interface LinkListener {
  linkChanged(reason: string): void;
}

/** @internal */
export class RedisLink {
  readonly pub: RedisClient;
  readonly sub: RedisClient;
  readonly #ownsSub: boolean;
  readonly #listeners = new Set<LinkListener>();
  readonly #limits: OfflineQueueLimits;
  #queue: WireMessage[] = [];
  #queueHead = 0;
  #queuedBytes = 0;
  #up: boolean;
  #connecting: Promise<unknown> | undefined;
  /** Messages dropped from the offline queue (full) or not sent (Redis down). */
  dropped = 0;
  /** Set when the last adapter left; a new namespace then needs a new link. */
  closed = false;

  constructor(pub: RedisClient, sub: RedisClient | undefined, limits: OfflineQueueLimits) {
    this.pub = pub;
    this.#limits = limits;
    if (sub) {
      this.sub = sub;
      this.#ownsSub = false;
    } else {
      const socket = pub.options?.socket ?? {};
      this.sub = pub.duplicate({
        socket: "reconnectStrategy" in socket ? socket : { ...socket, reconnectStrategy },
      });
      this.#ownsSub = true;
    }
    this.#up = this.#bothReady();
    for (const client of [this.pub, this.sub]) {
      // An 'error' with no listener would crash the process (RELIABILITY C1).
      client.on("error", this.#onError);
      client.on("ready", this.#onReady);
      client.on("end", this.#onEnd);
    }
  }

  #bothReady(): boolean {
    return this.pub.isReady && this.sub.isReady;
  }

  readonly #onError = (err: Error): void => this.#update(`redis error: ${err.message}`);
  readonly #onReady = (): void => this.#update("redis ready");
  readonly #onEnd = (): void => this.#update("redis connection closed");

  #update(reason: string): void {
    const up = this.#bothReady();
    if (up === this.#up) return;
    this.#up = up;
    if (up) this.flush();
    for (const listener of this.#listeners) listener.linkChanged(reason);
  }

  /** Resolves when both connections are ready, or after `timeout` ms. */
  whenUp(timeout: number): Promise<void> {
    if (this.#up) return Promise.resolve();
    return new Promise((resolve) => {
      const listener: LinkListener = {
        linkChanged: () => {
          if (!this.#up) return;
          clearTimeout(timer);
          this.#listeners.delete(listener);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        resolve();
      }, timeout);
      timer.unref?.();
      this.#listeners.add(listener);
    });
  }

  /** Whether both connections are ready. */
  get up(): boolean {
    return this.#up;
  }

  /** Messages waiting in the offline queue. */
  get queued(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** Registers an adapter; connects the subscribe client this link created. */
  attach(listener: LinkListener): void {
    this.#listeners.add(listener);
    if (this.#ownsSub && !this.sub.isOpen && this.#connecting === undefined) {
      this.#connecting = this.sub.connect().catch(() => {
        // Reported through 'error'; node-redis keeps reconnecting.
      });
    }
  }

  /** Unregisters an adapter; the last one out closes the subscribe client this link created. */
  detach(listener: LinkListener): void {
    this.#listeners.delete(listener);
    if (this.#listeners.size > 0) return;
    this.closed = true;
    for (const client of [this.pub, this.sub]) {
      client.off("ready", this.#onReady);
      client.off("end", this.#onEnd);
    }
    if (this.#ownsSub) {
      if (this.sub.isOpen) this.sub.destroy();
      // Keep swallowing errors from the destroyed client; it emits none after this.
    } else {
      this.sub.off("error", this.#onError);
    }
    this.pub.off("error", this.#onError);
  }

  /** Publishes now; `onError` counts a failure. Never throws. */
  send(wire: WireMessage, onError: (err: unknown) => void): void {
    if (!this.pub.isReady) {
      this.dropped++;
      return;
    }
    try {
      this.pub.publish(wire.channel, wire.payload).then(undefined, onError);
    } catch (err) {
      onError(err);
    }
  }

  /** Keeps a message until Redis is back, dropping the oldest beyond the limits. */
  enqueue(wire: WireMessage): void {
    if (this.#limits.messages <= 0) {
      this.dropped++;
      return;
    }
    this.#queue.push(wire);
    this.#queuedBytes += wire.payload.length;
    while (
      this.queued > this.#limits.messages ||
      (this.#queuedBytes > this.#limits.bytes && this.queued > 0)
    ) {
      const old = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = undefined as unknown as WireMessage;
      this.#queuedBytes -= old.payload.length;
      this.dropped++;
    }
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  /** Sends what waited, in order. */
  flush(): void {
    if (!this.pub.isReady || this.queued === 0) return;
    const waiting = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    this.#queuedBytes = 0;
    for (const wire of waiting) this.send(wire, () => this.dropped++);
  }
}
