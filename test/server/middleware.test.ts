import { describe, expect, it } from "vitest";
import { runMiddlewares, type Middleware } from "../../src/server/middleware.js";

function run<A>(fns: Middleware<A>[], arg: A): Promise<Error | null> {
  return new Promise((resolve) => runMiddlewares(fns, arg, resolve));
}

describe("middleware chain", () => {
  it("calls every middleware in order, then done(null)", async () => {
    const order: number[] = [];
    const result = await run(
      [
        (_a, next) => {
          order.push(1);
          next();
        },
        (_a, next) => {
          order.push(2);
          setImmediate(next);
        },
      ],
      {},
    );
    expect(result).toBeNull();
    expect(order).toEqual([1, 2]);
  });

  it("stops at the first error", async () => {
    const order: number[] = [];
    const result = await run<object>(
      [(_a, next) => next(new Error("stop")), () => order.push(2)],
      {},
    );
    expect(result?.message).toBe("stop");
    expect(order).toEqual([]);
  });

  it("turns a throw, a rejection and a non-Error into errors", async () => {
    expect(
      (
        await run<object>(
          [
            () => {
              throw new Error("thrown");
            },
          ],
          {},
        )
      )?.message,
    ).toBe("thrown");
    expect(
      (
        await run<object>(
          [
            async () => {
              throw new Error("rejected");
            },
          ],
          {},
        )
      )?.message,
    ).toBe("rejected");
    expect(
      (
        await run<object>(
          [
            () => {
              throw "text";
            },
          ],
          {},
        )
      )?.message,
    ).toBe("text");
  });

  it("ignores a second next() from the same middleware", async () => {
    let done = 0;
    await new Promise<void>((resolve) =>
      runMiddlewares<object>(
        [
          (_a, next) => {
            next();
            next(new Error("late"));
          },
        ],
        {},
        () => {
          done++;
          resolve();
        },
      ),
    );
    expect(done).toBe(1);
  });

  it("runs synchronous middlewares synchronously", () => {
    let result: Error | null | undefined;
    runMiddlewares<object>([(_a, next) => next()], {}, (err) => (result = err));
    expect(result).toBeNull();
  });
});
