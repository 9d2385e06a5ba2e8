/**
 * End-of-turn write coalescing (DESIGN: "One write per socket per event-loop turn").
 *
 * A transport that gets its first write in a turn registers here; one shared microtask
 * then flushes every registered transport once, after the synchronous code that queued
 * the writes (a burst of incoming frames, a broadcast loop) has run. The list is
 * module-level and reused, so a turn costs one microtask however many sessions wrote.
 *
 * @module
 * @internal
 */

/** @internal */
export interface Flushable {
  /** True while registered for the coming flush. */
  flushQueued: boolean;
  /** Writes what was queued during the turn. Must not throw. */
  flush(): void;
}

let pending: Flushable[] = [];
let spare: Flushable[] = [];
let scheduled = false;

/**
 * Registers `target` for the end-of-turn flush, once per turn.
 *
 * @internal
 */
export function scheduleFlush(target: Flushable): void {
  if (target.flushQueued) return;
  target.flushQueued = true;
  pending.push(target);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(flushAll);
  }
}

function flushAll(): void {
  scheduled = false;
  const batch = pending;
  pending = spare;
  spare = batch;
  for (let i = 0; i < batch.length; i++) {
    const target = batch[i]!;
    target.flushQueued = false;
    try {
      target.flush();
    } catch (err) {
      // A flush is our own code and handles its own errors; one that escapes must not
      // cost the other sessions their flush.
      reportUncaught(err);
    }
  }
  batch.length = 0;
}

function reportUncaught(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
