// The prototype-poisoning check run after every fuzz run (RELIABILITY 3, "Run
// @fast-check/poisoning after each run"): nothing reachable from globalThis changed since
// this module loaded, except the test runner's own state.
import "./lazy-globals.js";
import { assertNoPoisoning } from "@fast-check/poisoning";

export function assertNotPoisoned(): void {
  assertNoPoisoning({ ignoredRootRegex: /^__vitest_/ });
}
