import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// The vendor packages' published entries each inline their own copy of core. The gateway must run
// ONE copy (one redactor that knows every secret, one error hierarchy for HTTP status mapping), so
// the vendors' `import ... from "qovery-mcp"` is bundled from their sources against the shared core.
const vendorSource = (name: string) => `../../packages/${name}/src/index.ts`;

export default defineConfig({
  entry: { cli: "src/cli.ts", index: "src/index.ts" },
  format: ["esm"],
  platform: "node",
  target: "node22",
  bundle: true,
  splitting: true,
  minify: true,
  sourcemap: false,
  clean: true,
  noExternal: [/.*/],
  define: { __VERSION__: JSON.stringify(pkg.version) },
  esbuildOptions(options) {
    options.alias = {
      "qovery-mcp": vendorSource("qovery-mcp"),
      "incus-mcp": vendorSource("incus-mcp"),
      "portainer-mcp": vendorSource("portainer-mcp"),
    };
  },
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
});
