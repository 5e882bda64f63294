import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// One self-contained bundle for the image (no install step). The vendors' library entries import
// @infra-mcp/core from their importer, so everything here is bundled against ONE copy of core.
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
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
});
