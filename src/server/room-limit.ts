/**
 * Joining rooms under `maxRoomsPerSocket` (RELIABILITY A6-7): a socket's own room and
 * rooms it is already in are always accepted; new rooms only while under the cap.
 *
 * @module
 * @internal
 */
import type { Adapter } from "../adapter/adapter.js";
import type { Room, SocketId } from "../adapter/contract.js";

/**
 * Adds socket `id` to the rooms of `rooms` that fit under `max`; returns how many were
 * refused.
 *
 * @internal
 */
export function joinWithinLimit(
  adapter: Adapter,
  id: SocketId,
  rooms: readonly Room[],
  max: number,
): number {
  let count = adapter.roomCount(id);
  if (count + rooms.length <= max) {
    adapter.addAll(id, rooms);
    return 0;
  }
  const joined = adapter.sids.get(id);
  const accepted: Room[] = [];
  let refused = 0;
  for (const room of rooms) {
    if (room === id || joined?.has(room) === true) accepted.push(room);
    else if (count < max) {
      accepted.push(room);
      count++;
    } else refused++;
  }
  adapter.addAll(id, accepted);
  return refused;
}
