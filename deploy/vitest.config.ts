import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    // The first run builds the local base image (debootstrap, ~40 s here; minutes on a slow mirror).
    hookTimeout: 600_000,
    // Shares two CPUs and the Docker engine with the other suites.
    fileParallelism: false,
  },
});
