import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The suites share one Docker engine and two CPUs.
    fileParallelism: false,
    // The bounded-memory test measures live memory (after a forced GC) while 50 MiB flows.
    execArgv: ["--expose-gc"],
  },
});
