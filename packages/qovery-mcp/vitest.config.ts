import { defineConfig } from "vitest/config";

// The e2e suite spawns the bin and Prism; on a loaded 2-core CI machine a call can take seconds.
// expect.poll waits for a condition with a deadline; its default (1 s) would be a speed claim on
// such a machine, so its deadline here only catches a hang.
export default defineConfig({
  test: { testTimeout: 20_000, hookTimeout: 90_000, expect: { poll: { timeout: 15_000 } } },
});
