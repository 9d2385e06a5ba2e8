/**
 * The long fuzz run (RELIABILITY §4 goal 1: 10^6 nightly): both codecs and a live server
 * over polling and WebSocket, with many more inputs than `npm test` feeds them.
 *
 *   npm run fuzz                         10^6 inputs per codec property, 10^5 per live layer
 *   FUZZ_RUNS=1e5 FUZZ_LIVE_RUNS=2e4 npm run fuzz
 *   FUZZ_SEED=1234 npm run fuzz          replay a run (a failure prints its seed)
 *   npm run fuzz -- test/fuzz/live-polling.test.ts   one layer
 *
 * Each live layer runs against a server in its own process (256 MB heap, strict
 * unhandled rejections), then checks that it is alive, unpolluted and still serving.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const env = {
  ...process.env,
  FUZZ_RUNS: String(Number(process.env.FUZZ_RUNS ?? 1e6)),
  FUZZ_LIVE_RUNS: String(Number(process.env.FUZZ_LIVE_RUNS ?? 1e5)),
};
const files = process.argv.slice(2);
// test/protocol/codec.property.test.ts also honours FUZZ_RUNS, but runs each property in
// one synchronous stretch, which at 10^6 starves vitest's worker messages; the fuzzers
// here run theirs in chunks. Name it to include it with a smaller FUZZ_RUNS.
const targets = files.length > 0 ? files : ["test/fuzz"];

console.log(
  `fuzz: ${env.FUZZ_RUNS} inputs per codec property, ${env.FUZZ_LIVE_RUNS} per live layer` +
    (process.env.FUZZ_SEED ? `, seed ${process.env.FUZZ_SEED}` : ""),
);
const started = performance.now();
const child = spawn(
  process.execPath,
  [
    fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url)),
    "run",
    ...targets,
    "--testTimeout=86400000",
    "--hookTimeout=600000",
  ],
  { cwd: root, env, stdio: "inherit" },
);
child.on("exit", (code, signal) => {
  console.log(`fuzz: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.exit(code ?? (signal === null ? 1 : 128));
});
