/**
 * Requests in flight across a cluster: each waits for an answer from every node that
 * was alive when it left, and no longer. A node that dies or leaves stops being waited
 * for; a request that is not complete within its timeout fails with an error naming
 * the nodes that did not answer.
 *
 * @module
 */
import { PushwireError } from "../errors.js";

/** One request in flight. */
interface Pending {
  /** Nodes that have not answered yet. */
  readonly waiting: Set<string>;
  readonly collect: (uid: string | undefined, response: unknown) => void;
  readonly resolve: () => void;
  readonly reject: (err: PushwireError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** @internal */
export class PendingRequests {
  readonly #pending = new Map<string, Pending>();
  readonly #timeout: number;
  readonly #max: number;

  constructor(timeout: number, max: number) {
    this.#timeout = timeout;
    this.#max = max;
  }

  /** How many requests wait for answers. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers request `id` waiting for `nodes`. Resolves when each has answered (or
   * died); rejects with `PW_ERR_CLUSTER_REQUEST_TIMEOUT` after the timeout.
   */
  add(
    id: string,
    what: string,
    nodes: Iterable<string>,
    collect: (uid: string | undefined, response: unknown) => void,
  ): Promise<void> {
    if (this.#pending.size >= this.#max) {
      return Promise.reject(
        new PushwireError(
          "PW_ERR_CLUSTER_TOO_MANY_REQUESTS",
          `${this.#pending.size} cluster requests already wait for answers (maxPendingRequests)`,
        ),
      );
    }
    const waiting = new Set(nodes);
    if (waiting.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        const missing = [...waiting];
        reject(
          new PushwireError(
            "PW_ERR_CLUSTER_REQUEST_TIMEOUT",
            `timeout reached while waiting for ${what}: no answer within ${this.#timeout} ms ` +
              `from node${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
            { missing },
          ),
        );
      }, this.#timeout);
      timer.unref?.();
      this.#pending.set(id, { waiting, collect, resolve, reject, timer });
    });
  }

  /** Whether request `id` is still waiting. */
  has(id: string): boolean {
    return this.#pending.has(id);
  }

  /**
   * Records an answer. Answers from nodes that are not waited for (their adapter does not
   * announce itself) are collected but complete nothing.
   */
  answer(id: string, uid: string | undefined, response: unknown): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    if (uid !== undefined && pending.waiting.has(uid)) {
      pending.waiting.delete(uid);
      pending.collect(uid, response);
      this.#settleIfDone(id, pending);
    } else if (uid === undefined) {
      pending.collect(uid, response);
    }
  }

  /** Stops waiting for node `uid` in every request: it died or left. */
  forget(uid: string): void {
    for (const [id, pending] of this.#pending) {
      if (pending.waiting.delete(uid)) this.#settleIfDone(id, pending);
    }
  }

  /** Fails every request with `err` (the adapter closes). */
  rejectAll(err: PushwireError): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(err);
    }
    this.#pending.clear();
  }

  #settleIfDone(id: string, pending: Pending): void {
    if (pending.waiting.size > 0) return;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    pending.resolve();
  }
}
