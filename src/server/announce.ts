/**
 * Defers the `connection` event of newly connected sockets to the timers phase, with
 * one shared timer for every socket that connected in the meantime.
 *
 * Why: the CONNECT answer must travel alone. A client that reads the answer and then
 * waits for the next message (the socket.io-protocol test suite's clients do, with a
 * `ws` that emits every frame of a chunk synchronously) misses a message that arrived
 * in the same TCP chunk. Writes one loop iteration apart still share a chunk on a busy
 * machine; one timer tick (about 1 ms) apart they do not. socket.io spaces them too
 * (its transport waits for the write callback), less widely.
 *
 * @module
 * @internal
 */

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
 * Runs `announce` on the next timers phase.
 *
 * @internal
 */
export function deferAnnounce(announce: () => void): void {
  queue.push(announce);
  if (!armed) {
    armed = true;
    setTimeout(fire, 0);
  }
}
