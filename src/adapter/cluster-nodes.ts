/**
 * Node liveness: who else serves this namespace, as their heartbeats tell. A node is
 * alive until `heartbeatTimeout` passes without a word from it, or it says goodbye.
 *
 * @module
 */

/** Live nodes of a cluster, by id, with the time each was last heard from. */
export class NodeTable {
  readonly #lastSeen = new Map<string, number>();

  /** Records a sign of life; returns true for a node not known before. */
  touch(uid: string, now: number): boolean {
    const known = this.#lastSeen.has(uid);
    this.#lastSeen.set(uid, now);
    return !known;
  }

  /** Forgets a node; returns whether it was known. */
  remove(uid: string): boolean {
    return this.#lastSeen.delete(uid);
  }

  /** Removes and returns the nodes not heard from since `deadline`. */
  expire(deadline: number): string[] {
    const expired: string[] = [];
    for (const [uid, seen] of this.#lastSeen) {
      if (seen < deadline) {
        this.#lastSeen.delete(uid);
        expired.push(uid);
      }
    }
    return expired;
  }

  /** Gives every known node a fresh period (after an outage that hid their heartbeats). */
  refresh(now: number): void {
    for (const uid of this.#lastSeen.keys()) this.#lastSeen.set(uid, now);
  }

  /** The ids of the live nodes. */
  ids(): string[] {
    return [...this.#lastSeen.keys()];
  }

  get size(): number {
    return this.#lastSeen.size;
  }
}
