import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real-Portainer verification suite runs only against a Portainer you run yourself; it is
    // not part of `pnpm test` at all (CI cannot build Portainer), rather than a skipped file there.
    exclude: process.env.PORTAINER_REAL_URL ? [] : ["test/real-portainer.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The suites share one Docker engine and two CPUs.
    fileParallelism: false,
    // The bounded-memory test measures live memory (after a forced GC) while 50 MiB flows.
    execArgv: ["--expose-gc"],
  },
});
