import { defineConfig } from "vitest/config";

// Integration suites talk to a real Incus daemon: generous timeouts, one file at a time (2 shared CPUs).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
