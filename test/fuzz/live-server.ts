// The live server the fuzzers attack (RELIABILITY 3, "Harness"): a child process with a
// 256 MB heap and strict unhandled rejections. After a run, it must still be alive, not
// have logged a crash, have no polluted prototype, and serve a fresh client.
import fc from "fast-check";
import { io as ioClient } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServer, type ChildServer } from "../hostile/child.js";
import { LIVE_RUNS, SEED } from "./inputs.js";
import type { Outcome } from "./live.js";

export { spawnServer, type ChildServer };

/** A fresh socket.io-client connects over `transport` and gets its echo back. */
export async function freshClientEchoes(port: number, transport: string): Promise<void> {
  const socket = ioClient(`http://127.0.0.1:${port}`, {
    forceNew: true,
    reconnection: false,
    transports: [transport],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    expect(await socket.timeout(2000).emitWithAck("echo", "fresh")).toBe("fresh");
  } finally {
    socket.close();
  }
}

/** The checks after a run: alive, no crash logged, no poisoning, a fresh client served. */
export async function assertServerSurvived(server: ChildServer): Promise<void> {
  expect(server.exited(), server.stderr()).toBeNull();
  expect(server.stderr()).not.toMatch(/crashed|Error/);
  expect(await server.call<{ clean: boolean; error?: string }>("poisoning")).toMatchObject({
    clean: true,
  });
  await freshClientEchoes(server.port, "polling");
  await freshClientEchoes(server.port, "websocket");
}

/** Fails with the input when its outcome is not a documented one. */
export function documented(outcome: Outcome, input: unknown): void {
  if (outcome.kind === "undocumented") {
    const text = JSON.stringify(input);
    const shown = text.length > 500 ? `${text.slice(0, 500)}... (${text.length} chars)` : text;
    throw new Error(`undocumented outcome (${outcome.how}) for ${shown}`);
  }
}

/** One line per outcome, most frequent first, for the run's log. */
export function summary(
  layer: string,
  inputs: number,
  ms: number,
  outcomes: Map<string, number>,
): string {
  const lines = [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n}\t${k}`);
  return `${layer}: ${inputs} inputs in ${(ms / 1000).toFixed(1)} s\n${lines.join("\n")}`;
}

/** What the live fuzz needs of a pool of connections that play inputs. */
export interface InputPool<I> {
  readonly outcomes: Map<string, number>;
  run(input: I): Promise<Outcome>;
  close(): void;
}

/**
 * The live fuzz of one transport: a child server, a pool of connections playing batches
 * of `input` concurrently, every outcome a documented one, and the server alive after.
 */
export function describeLiveFuzz<I>(
  layer: string,
  input: fc.Arbitrary<I>,
  openPool: (port: number, size: number) => InputPool<I>,
): void {
  const batchSize = 25;
  let server: ChildServer;
  let pool: InputPool<I>;

  beforeAll(async () => {
    server = await spawnServer();
    pool = openPool(server.port, 2 * batchSize);
  });

  afterAll(async () => {
    pool?.close();
    await server?.stop();
  });

  describe(`live server fuzzing over ${layer}`, () => {
    it(
      `ends each of ${LIVE_RUNS} ${layer} inputs in a documented outcome, and survives`,
      async () => {
        const start = performance.now();
        let inputs = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(input, { minLength: batchSize, maxLength: batchSize }),
            async (batch) => {
              const outcomes = await Promise.all(batch.map((one) => pool.run(one)));
              inputs += batch.length;
              outcomes.forEach((outcome, i) => documented(outcome, batch[i]));
            },
          ),
          { numRuns: Math.ceil(LIVE_RUNS / batchSize), endOnFailure: true, seed: SEED },
        );
        console.log(summary(layer, inputs, performance.now() - start, pool.outcomes));
        await assertServerSurvived(server);
      },
      Math.max(60_000, LIVE_RUNS * 20),
    );
  });
}
