/**
 * The graceful end of an engine (`EngineServer.shutdown`): sessions are ended a batch
 * per event-loop turn, each sending its queue before its close, and the engine waits
 * for them, bounded by `closeTimeout`.
 *
 * @module
 * @internal
 */
import type { ResolvedOptions } from "./options.js";
import type { EngineSession } from "./session.js";

/** What the drain needs of the engine. @internal */
export interface DrainHost {
  readonly clients: Map<string, EngineSession>;
  readonly opts: ResolvedOptions;
  /** Set while waiting; the engine calls it when its last session ends. */
  onDrained: (() => void) | null;
}

/**
 * A polling session with nothing queued and no poll pending has nothing to drain: it
 * ends at once (its client's next poll gets 400 and it reconnects) rather than keeping
 * the shutdown waiting for a client that may be gone.
 */
function endSession(session: EngineSession): void {
  const polling = session.polling;
  const idle =
    polling !== null && !polling.writable && session.probe === null && session.bufferedBytes === 0;
  if (idle) session.destroy("forced server close");
  else session.end("forced server close");
}

/**
 * Ends every session of `host` with `forced server close`, `batchSize` per turn, then
 * resolves when none is left or after `closeTimeout` ms.
 *
 * @internal
 */
export async function drainSessions(
  host: DrainHost,
  closed: boolean,
  batchSize: number,
): Promise<void> {
  const size = Math.max(1, Math.floor(batchSize) || 1);
  const sessions = closed ? [] : [...host.clients.values()];
  for (let i = 0; i < sessions.length; i += size) {
    // One batch per turn: this turn's writes leave before the next batch queues more.
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const end = Math.min(sessions.length, i + size);
    for (let j = i; j < end; j++) endSession(sessions[j]!);
  }
  if (host.clients.size === 0 || closed) return;
  const clock = host.opts.clock;
  await new Promise<void>((resolve) => {
    const timer = clock.setTimer(resolve, host.opts.closeTimeout);
    host.onDrained = () => {
      clock.clearTimer(timer);
      resolve();
    };
  });
  host.onDrained = null;
}
