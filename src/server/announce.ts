/**
 * Defers the `connection` event of newly connected sockets by {@link ANNOUNCE_DELAY}
 * ms, with one shared timer for every socket that connected in the meantime.
 *
 * Why: the CONNECT answer must travel alone. A client that reads the answer and then
 * waits for the next message (the socket.io-protocol test suite's clients do, with a
 * `ws` that emits every frame of a chunk synchronously) misses a message that arrived
 * in the same TCP chunk. Writes one loop iteration apart still share a chunk on a busy
 * machine; 2 ms apart they do not (measured: 1 ms left the protocol test suite failing
 * one run in ten on two cores; 2 ms, none in fifteen). socket.io spaces them too (its
 * transport waits for the write callback), less widely, and fails that suite more often.
 *
 * @module
 * @internal
 */

/**
 * Milliseconds between a CONNECT answer and its socket's `connection` event.
 *
 * @internal
 */
export const ANNOUNCE_DELAY = 2;

let queue: (() => void)[] = [];
let armed = false;

function fire(): void {
  armed = false;
  const batch = queue;
  queue = [];
  for (const announce of batch) {
    try {
      announce();
    } catch (err) {
      // A listener's exception is the application's, as it would be from any
      // EventEmitter; it must not cost the other sockets their event.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/**
 * Runs `announce` {@link ANNOUNCE_DELAY} ms from now (with whatever else is queued).
 *
 * @internal
 */
export function deferAnnounce(announce: () => void): void {
  queue.push(announce);
  if (!armed) {
    armed = true;
    setTimeout(fire, ANNOUNCE_DELAY);
  }
}
