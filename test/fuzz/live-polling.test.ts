// Fuzzing a live server over HTTP long-polling (RELIABILITY §4 goal 1): POST bodies that
// are payloads of valid, mutated, corpus or random records, some with the wrong content
// type, each followed by a probe event. Every input ends with 200/400/413 (refusals as
// {code, message}), then the probe answered or the session closed; the server never
// sends a malformed packet, and afterwards it is alive, unpolluted, and serves a fresh
// client. FUZZ_LIVE_RUNS inputs (npm run fuzz runs more).
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { LIVE_RUNS, SEED, pollingInput } from "./inputs.js";
import { PollingPool } from "./live.js";
import {
  assertServerSurvived,
  documented,
  spawnServer,
  summary,
  type ChildServer,
} from "./live-server.js";

const BATCH = 25;
let server: ChildServer;
let pool: PollingPool;

beforeAll(async () => {
  server = await spawnServer();
  pool = new PollingPool(server.port, 2 * BATCH);
});

afterAll(async () => {
  pool?.close();
  await server?.stop();
});

describe("live server fuzzing over polling", () => {
  it(
    `ends each of ${LIVE_RUNS} polling inputs in a documented outcome, and survives`,
    async () => {
      const start = performance.now();
      let inputs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(pollingInput, { minLength: BATCH, maxLength: BATCH }),
          async (batch) => {
            const outcomes = await Promise.all(batch.map((input) => pool.run(input)));
            inputs += batch.length;
            outcomes.forEach((outcome, i) => documented(outcome, batch[i]));
          },
        ),
        { numRuns: Math.ceil(LIVE_RUNS / BATCH), endOnFailure: true, seed: SEED },
      );
      console.log(summary("polling", inputs, performance.now() - start, pool.outcomes));
      await assertServerSurvived(server);
    },
    Math.max(60_000, LIVE_RUNS * 20),
  );
});
