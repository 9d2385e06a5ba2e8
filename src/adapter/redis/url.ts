/**
 * One Redis URL in, everything a server or a worker needs out: the adapter factory
 * and an emitter sharing one connection. What the Flask-style face's
 * `SocketIO({ messageQueue })` stands on.
 *
 * @module
 */
import { createRequire } from "node:module";
import { Emitter } from "./emitter.js";
import { reconnectStrategy, type RedisClient } from "./link.js";
import {
  createRedisAdapter,
  type RedisAdapterFactory,
  type RedisAdapterOptions,
} from "./redis-adapter.js";

/** What {@link redisMessageQueue} returns. */
export interface RedisMessageQueue {
  /** For the server's `adapter` option. Unused by a write-only process. */
  readonly adapter: RedisAdapterFactory;
  /** Pushes to the cluster's clients without being a server. */
  readonly emitter: Emitter;
  /** The publish client (node-redis), connected or connecting. */
  readonly client: RedisClient;
  /** Settles when the first connection is made. */
  readonly ready: Promise<void>;
  /** Closes the connection. Close the server (its adapters) first. */
  close(): Promise<void>;
}

interface RedisModule {
  createClient(options: object): RedisClient;
}

/**
 * Connects to Redis at `url` (`redis://[user:pass@]host:port[/db]`, `rediss://` for
 * TLS) with a reconnect strategy that never gives up, and returns the adapter factory
 * and an emitter. Needs the `redis` package (a peer dependency). Throws at once for a
 * URL that is not a Redis URL.
 *
 * @example
 * ```ts
 * const mq = redisMessageQueue("redis://127.0.0.1:6379");
 * const io = new Server({ adapter: mq.adapter });
 * mq.emitter.to("room1").emit("hello");
 * ```
 */
export function redisMessageQueue(url: string, opts: RedisAdapterOptions = {}): RedisMessageQueue {
  // Loaded on use, so that pushwire/redis imports without `redis` installed (an emitter
  // over ioredis needs nothing more).
  const { createClient } = createRequire(import.meta.url)("redis") as RedisModule;
  const client = createClient({ url, socket: { reconnectStrategy } });
  // An 'error' with no listener would crash the process; the adapters report state.
  client.on("error", () => {});
  const ready = client.connect().then(() => undefined);
  ready.catch(() => {});
  const adapter = createRedisAdapter(client, opts);
  const emitter = new Emitter(client as unknown as ConstructorParameters<typeof Emitter>[0], {
    ...(opts.key === undefined ? {} : { key: opts.key }),
    ...(opts.log === undefined ? {} : { onError: (err: Error) => opts.log!(err.message) }),
  });
  return {
    adapter,
    emitter,
    client,
    ready,
    close: () => {
      client.destroy();
      return Promise.resolve();
    },
  };
}
