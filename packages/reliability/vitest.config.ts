import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// As apps/gateway: vendors from source so the suites run one copy of core (one redactor, one logger).
const vendorSource = (name: string) => fileURLToPath(new URL(`../${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "qovery-mcp": vendorSource("qovery-mcp"),
      "incus-mcp": vendorSource("incus-mcp"),
      "portainer-mcp": vendorSource("portainer-mcp"),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two shared CPUs; the fault and load suites measure timings.
    fileParallelism: false,
  },
});
