/**
 * `pushwire/redis`: scale-out through Redis pub/sub, in the wire format of socket.io's
 * Redis adapter and emitter. See docs/scale-out.md.
 *
 * @module
 */
export { Emitter, EmitterBroadcast, type EmitterOptions, type PublishClient } from "./emitter.js";
export {
  createRedisAdapter,
  RedisAdapter,
  type RedisAdapterFactory,
  type RedisAdapterOptions,
} from "./redis-adapter.js";
export { reconnectStrategy, type RedisClient, type BufferListener } from "./link.js";
export { redisMessageQueue, type RedisMessageQueue } from "./url.js";
export type { ClusterAdapterOptions, ClusterStats, ClusterStateEvent } from "../cluster-adapter.js";
export { DEFAULT_MAX_MESSAGE_SIZE } from "./codec.js";
