/**
 * Runs a middleware chain (`io.use`, `socket.use`): each middleware calls `next()` to
 * go on or `next(err)` to stop. A middleware that throws, or returns a promise that
 * rejects, stops the chain with that error instead of crashing the process
 * (RELIABILITY D3); a second `next()` from the same middleware is ignored.
 *
 * @module
 * @internal
 */

/** A middleware: `(arg, next) => void`, possibly async. @internal */
export type Middleware<A> = (arg: A, next: (err?: Error) => void) => unknown;

/** Turns whatever a middleware failed with into an Error. @internal */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Calls each of `fns` in turn with `arg`, then `done(null)`; or `done(err)` at the
 * first error. Synchronous middlewares run synchronously.
 *
 * @internal
 */
export function runMiddlewares<A>(
  fns: readonly Middleware<A>[],
  arg: A,
  done: (err: Error | null) => void,
): void {
  let index = 0;
  let finished = false;
  const step = (err?: unknown): void => {
    if (finished) return;
    if (err !== undefined && err !== null) {
      finished = true;
      done(toError(err));
      return;
    }
    if (index === fns.length) {
      finished = true;
      done(null);
      return;
    }
    const fn = fns[index++]!;
    let called = false;
    const next = (e?: unknown): void => {
      if (called) return;
      called = true;
      step(e);
    };
    try {
      const result = fn(arg, next);
      if (result !== null && typeof result === "object" && "then" in result) {
        (result as PromiseLike<unknown>).then(undefined, (e: unknown) =>
          next(e ?? new Error("middleware failed")),
        );
      }
    } catch (e) {
      next(e ?? new Error("middleware failed"));
    }
  };
  step();
}
