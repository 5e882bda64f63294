import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two shared CPUs; the fault and load suites measure timings.
    fileParallelism: false,
  },
});
