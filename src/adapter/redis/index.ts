/**
 * `pushwire/redis`: scale-out through Redis pub/sub, compatible with socket.io's Redis
 * adapter and emitter. See docs/scale-out.md.
 *
 * @module
 */
export { Emitter, EmitterBroadcast, type EmitterOptions, type PublishClient } from "./emitter.js";
