/**
 * Acknowledgements a socket waits for, and their timeouts. Timeouts ride the
 * server's one deadline scheduler (DESIGN, "No timer per connection"): one list per
 * distinct delay, so that each insertion and removal is O(1) and an ack costs one
 * object, itself the list node.
 *
 * @module
 * @internal
 */
import type { DeadlineList, DeadlineNode, DeadlineScheduler } from "../engine/scheduler.js";
import { PushwireError } from "../errors.js";

/** Who holds a pending ack (a socket). Its members are internal. */
export interface AckOwner {
  /** The ack's timeout elapsed: forget it and call its callback with the error. @internal */
  _ackExpired(ack: PendingAck): void;
}

/**
 * One acknowledgement a socket waits for.
 *
 * @internal
 */
export class PendingAck implements DeadlineNode {
  dlPrev: DeadlineNode | null = null;
  dlNext: DeadlineNode | null = null;
  dlList: DeadlineList | null = null;
  dlDeadline = 0;
  /** Set only when the delay fell outside the scheduler's lists. */
  timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly owner: AckOwner,
    readonly id: number,
    readonly callback: (...args: unknown[]) => void,
    /** The callback takes an error first: it came with `timeout()`. */
    readonly withError: boolean,
  ) {}
}

function expire(node: DeadlineNode): void {
  const ack = node as PendingAck;
  ack.owner._ackExpired(ack);
}

function expireTimer(ack: PendingAck): void {
  ack.timer = null;
  ack.owner._ackExpired(ack);
}

/**
 * Distinct delays with a list of their own. Applications use a handful of constant
 * timeouts; beyond this many, an ack gets a plain timer so that the scheduler's walk
 * stays short.
 */
const MAX_LISTS = 32;

/**
 * Schedules ack timeouts.
 *
 * @internal
 */
export class AckTimers {
  readonly #lists = new Map<number, DeadlineList>();

  constructor(private readonly scheduler: DeadlineScheduler) {}

  schedule(ack: PendingAck, delay: number): void {
    const ms = delay > 0 ? delay : 0;
    let list = this.#lists.get(ms);
    if (list === undefined) {
      if (this.#lists.size >= MAX_LISTS) {
        ack.timer = setTimeout(expireTimer, ms, ack);
        return;
      }
      list = this.scheduler.list(ms, expire);
      this.#lists.set(ms, list);
    }
    list.push(ack);
  }

  cancel(ack: PendingAck): void {
    if (ack.dlList !== null) ack.dlList.remove(ack);
    if (ack.timer !== null) {
      clearTimeout(ack.timer);
      ack.timer = null;
    }
  }
}

/**
 * Why a socket cannot wait for one more ack: it is closed, or at `maxPendingAcks`.
 *
 * @internal
 */
export function ackRefusal(closed: boolean, pending: number, max: number): PushwireError | null {
  if (closed) return new PushwireError("PW_ERR_ACK_DISCONNECTED");
  if (pending < max) return null;
  return new PushwireError(
    "PW_ERR_ACK_LIMIT",
    `too many pending acknowledgements (maxPendingAcks ${max})`,
  );
}

/**
 * Cancels the timeouts of a closed socket's acks; those with a timeout learn at once
 * (on the next tick) instead of waiting for it. The others are dropped, as socket.io
 * does: their callbacks have no error argument.
 *
 * @internal
 */
export function clearAcks(acks: Map<number, PendingAck>, timers: AckTimers): void {
  for (const ack of acks.values()) {
    timers.cancel(ack);
    if (ack.withError) {
      process.nextTick(ack.callback, new PushwireError("PW_ERR_ACK_DISCONNECTED"));
    }
  }
  acks.clear();
}
