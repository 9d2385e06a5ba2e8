/**
 * Background tasks and an abortable sleep. A task is an async function started outside
 * any request context; it receives an `AbortSignal` that fires when it is stopped or
 * the app closes. This is the right home for a loop that pushes to clients (a ticker,
 * a feed): a `while` loop inside an event handler would hold that handler, and in
 * Flask-SocketIO the client's whole queue of events, forever (docs/flask-socketio.md).
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { handlerContext } from "./context.js";

/** The running task's signal, so that `socketio.sleep()` inside a task stops with it. @internal */
export const taskSignal = new AsyncLocalStorage<AbortSignal>();

/** A started background task. */
export interface BackgroundTask {
  /** Aborted when the task is stopped or the app closes. */
  readonly signal: AbortSignal;
  /** Settles when the task function has returned (or thrown: the error was reported). */
  readonly done: Promise<void>;
  /** Whether the function is still running. */
  readonly running: boolean;
  /** Asks the task to stop: aborts its signal (and the sleeps that listen to it). */
  stop(): void;
}

/** Whether `err` is the rejection of an aborted operation. @internal */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === "AbortError";
}

/**
 * Starts `fn(signal, ...args)` on the next turn, outside any handler's context.
 * `report` receives what it throws, unless it throws an AbortError after being stopped.
 *
 * @internal
 */
export function startTask<A extends unknown[]>(
  fn: (signal: AbortSignal, ...args: A) => unknown,
  args: A,
  report: (err: unknown) => void,
  onEnd: (task: BackgroundTask) => void,
): BackgroundTask {
  const controller = new AbortController();
  const signal = controller.signal;
  let running = true;
  const task: BackgroundTask = {
    signal,
    done: undefined as unknown as Promise<void>,
    get running() {
      return running;
    },
    stop: () => controller.abort(),
  };
  const done = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => {
      if (signal.aborted) return;
      return handlerContext.exit(() => taskSignal.run(signal, () => fn(signal, ...args)));
    })
    .then(
      () => undefined,
      (err: unknown) => {
        if (!(signal.aborted && isAbortError(err))) report(err);
      },
    )
    .finally(() => {
      running = false;
      onEnd(task);
    });
  (task as { done: Promise<void> }).done = done;
  return task;
}

/**
 * Resolves after `seconds`, or rejects with the signal's reason (an AbortError) as soon
 * as one of `signals` aborts.
 *
 * @internal
 */
export function sleepFor(
  seconds: number,
  signals: readonly (AbortSignal | undefined)[],
): Promise<void> {
  const active = signals.filter((s): s is AbortSignal => s !== undefined);
  const aborted = active.find((s) => s.aborted);
  if (aborted !== undefined) return Promise.reject(aborted.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const s of active) s.removeEventListener("abort", onAbort);
    };
    const onAbort = (event: Event): void => {
      cleanup();
      reject((event.target as AbortSignal).reason as Error);
    };
    const timer = setTimeout(
      () => {
        cleanup();
        resolve();
      },
      Math.max(0, seconds * 1000),
    );
    for (const s of active) s.addEventListener("abort", onAbort, { once: true });
  });
}
