import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds the browser bundle of pushwire/client when its sources changed.
    globalSetup: ["test/setup/client-bundle.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Files open real sockets and child processes; two cores run two files at once.
    maxConcurrency: 1,
  },
});
