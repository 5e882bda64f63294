import { defineConfig } from "vitest/config";

// The e2e suite spawns the bin and Prism; on a loaded 2-core CI machine a call can take seconds.
export default defineConfig({ test: { testTimeout: 20_000, hookTimeout: 90_000 } });
