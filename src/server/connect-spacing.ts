/**
 * Spacing after a CONNECT answer: what a client is sent after the answer leaves at
 * least {@link CONNECT_SPACING} ms later, in order, on one shared timer for every
 * client that is waiting.
 *
 * Why: some clients read the answer and only then start waiting for the next message
 * (the socket.io-protocol test suite's clients do, with a `ws` that emits every frame
 * of a TCP chunk synchronously), so a message that shares the answer's TCP chunk is
 * missed. Writes one loop iteration apart still share a chunk on a busy machine; 2 ms
 * apart they do not (measured on two cores: 1 ms left the protocol suite failing one
 * run in ten; 2 ms, none in forty). socket.io spaces them by one write callback, and
 * fails that suite on most runs here.
 *
 * Only the wire waits: the `connection` listeners run in the same turn as the answer,
 * as in socket.io, so a client that sees `connect` knows the server has run them
 * (joined rooms, set listeners).
 *
 * @module
 * @internal
 */

/**
 * Milliseconds between a CONNECT answer and what follows it on the same connection.
 *
 * @internal
 */
export const CONNECT_SPACING = 2;

/** Something that holds its writes until released. @internal */
export interface Spaced {
  /** Sends what was held (up to the next CONNECT answer, which starts a new wait). */
  _release(): void;
}

let waiting: Spaced[] = [];
let armed = false;

function releaseAll(): void {
  armed = false;
  const batch = waiting;
  waiting = [];
  for (const target of batch) target._release();
}

/**
 * Releases `target` {@link CONNECT_SPACING} ms from now, with every other target
 * registered meanwhile.
 *
 * @internal
 */
export function releaseLater(target: Spaced): void {
  waiting.push(target);
  if (!armed) {
    armed = true;
    setTimeout(releaseAll, CONNECT_SPACING);
  }
}
