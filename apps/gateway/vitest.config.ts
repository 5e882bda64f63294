import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Same rule as the bundle (tsup.config.ts): vendors from source, so tests run one copy of core.
const vendorSource = (name: string) => fileURLToPath(new URL(`../../packages/${name}/src/index.ts`, import.meta.url));

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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Shares the Docker engine and two CPUs with the vendor suites.
    fileParallelism: false,
  },
});
