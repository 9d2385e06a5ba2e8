/**
 * One timer for every deadline of a server: heartbeats of all sessions, upgrade
 * timeouts, closing sessions waiting for their last poll (DESIGN: "No timer per
 * connection").
 *
 * Each {@link DeadlineList} has a constant delay, so appending at the tail keeps it
 * sorted by deadline: insertion, removal and expiry are O(1), with the links stored in
 * the nodes themselves (no allocation per entry). The scheduler arms a single timer at
 * the earliest head among its lists. Not part of the public API; the server layer
 * shares it for its own deadlines (acks, connect timeouts).
 *
 * @module
 */

/** A monotonic clock and a timer, injectable so tests can drive time by hand. */
export interface Clock {
  /** Milliseconds from an arbitrary origin; never goes back (`performance.now()`). */
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The process clock: `performance.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The intrusive links a node carries; a node is in at most one list at a time. */
export interface DeadlineNode {
  dlPrev: DeadlineNode | null;
  dlNext: DeadlineNode | null;
  dlList: DeadlineList | null;
  dlDeadline: number;
}

/** A list of nodes that all wait the same delay, sorted by deadline. */
export class DeadlineList {
  head: DeadlineNode | null = null;
  tail: DeadlineNode | null = null;
  size = 0;

  constructor(
    private readonly scheduler: DeadlineScheduler,
    /** Milliseconds each node waits. */
    readonly delay: number,
    /**
     * Called with each node whose deadline passed, after it left the list (its
     * `dlDeadline` still says when it was due), and the current time.
     */
    private readonly onExpire: (node: DeadlineNode, now: number) => void,
  ) {}

  /** Appends `node` (moving it from any list it is in) with the deadline now + delay. */
  push(node: DeadlineNode): void {
    this.pushAt(node, this.scheduler.clock.now() + this.delay);
  }

  /**
   * Inserts `node` with an explicit deadline, keeping the list sorted. Deadlines near
   * now + delay land at the tail, so this stays O(1) in practice. Deadlines are whole
   * milliseconds, rounded up: a small integer is stored in the node itself, where a
   * fraction of `performance.now()` costs each node a 16-byte number box.
   */
  pushAt(node: DeadlineNode, deadline: number): void {
    if (node.dlList !== null) node.dlList.remove(node);
    deadline = Math.ceil(deadline);
    node.dlDeadline = deadline;
    node.dlList = this;
    let after = this.tail;
    while (after !== null && after.dlDeadline > deadline) after = after.dlPrev;
    node.dlPrev = after;
    node.dlNext = after === null ? this.head : after.dlNext;
    if (node.dlNext === null) this.tail = node;
    else node.dlNext.dlPrev = node;
    if (after === null) {
      this.head = node;
      this.scheduler.arm(deadline);
    } else after.dlNext = node;
    this.size++;
  }

  /** Unlinks `node` if it is in this list (any other object is left as it is). */
  remove(item: object): void {
    const node = item as DeadlineNode;
    if (node.dlList !== this) return;
    if (node.dlPrev === null) this.head = node.dlNext;
    else node.dlPrev.dlNext = node.dlNext;
    if (node.dlNext === null) this.tail = node.dlPrev;
    else node.dlNext.dlPrev = node.dlPrev;
    node.dlPrev = node.dlNext = null;
    node.dlList = null;
    this.size--;
  }

  /** Expires the nodes whose deadline is at or before `now`. */
  expire(now: number): void {
    let node = this.head;
    while (node !== null && node.dlDeadline <= now) {
      this.remove(node);
      this.onExpire(node, now);
      node = this.head;
    }
  }
}

/** Owns the lists and the one timer. */
export class DeadlineScheduler {
  private readonly lists: DeadlineList[] = [];
  private timer: unknown = null;
  /** Deadline the timer is armed for, or Infinity when it is not armed. */
  private armedAt = Infinity;
  private closed = false;
  private readonly onTimer = (): void => this.fire();

  constructor(readonly clock: Clock) {}

  /** A new list whose nodes wait `delay` ms before `onExpire` is called. */
  list(delay: number, onExpire: (node: DeadlineNode, now: number) => void): DeadlineList {
    const list = new DeadlineList(this, delay, onExpire);
    this.lists.push(list);
    return list;
  }

  /** Makes sure the timer fires no later than `deadline`. */
  arm(deadline: number): void {
    if (this.closed || deadline >= this.armedAt) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.armedAt = deadline;
    // Node's timers have 1 ms resolution; rounding up never fires before the deadline
    // by more than that, and fire() re-arms if it is early.
    this.timer = this.clock.setTimer(
      this.onTimer,
      Math.max(0, Math.ceil(deadline - this.clock.now())),
    );
  }

  /** Stops the timer; lists keep their nodes but nothing expires any more. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = Infinity;
    const now = this.clock.now();
    for (const list of this.lists) list.expire(now);
    let next = Infinity;
    for (const list of this.lists) {
      if (list.head !== null && list.head.dlDeadline < next) next = list.head.dlDeadline;
    }
    if (next !== Infinity) this.arm(next);
  }
}
