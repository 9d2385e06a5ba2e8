// Fuzzing a live server over WebSocket (RELIABILITY §4 goal 1): random and mutated
// frames, the §1 corpus and random bytes, each followed by a probe event. Every input
// ends with the probe answered or the connection closed with a documented code, the
// server never sends a malformed packet, and afterwards it is alive, unpolluted, and
// serves a fresh client. FUZZ_LIVE_RUNS inputs (npm run fuzz runs more).
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { LIVE_RUNS, SEED, wsInput } from "./inputs.js";
import { WsPool } from "./live.js";
import {
  assertServerSurvived,
  documented,
  spawnServer,
  summary,
  type ChildServer,
} from "./live-server.js";

const BATCH = 25;
let server: ChildServer;
let pool: WsPool;

beforeAll(async () => {
  server = await spawnServer();
  pool = new WsPool(server.port, 2 * BATCH);
});

afterAll(async () => {
  pool?.close();
  await server?.stop();
});

describe("live server fuzzing over WebSocket", () => {
  it(
    `ends each of ${LIVE_RUNS} WebSocket inputs in a documented outcome, and survives`,
    async () => {
      const start = performance.now();
      let inputs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(wsInput, { minLength: BATCH, maxLength: BATCH }),
          async (batch) => {
            const outcomes = await Promise.all(batch.map((frames) => pool.run(frames)));
            inputs += batch.length;
            outcomes.forEach((outcome, i) => documented(outcome, batch[i]));
          },
        ),
        { numRuns: Math.ceil(LIVE_RUNS / BATCH), endOnFailure: true, seed: SEED },
      );
      console.log(summary("websocket", inputs, performance.now() - start, pool.outcomes));
      await assertServerSurvived(server);
    },
    Math.max(60_000, LIVE_RUNS * 20),
  );
});
