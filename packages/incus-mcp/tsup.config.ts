import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// One minified ESM bundle per entry with core and every dependency inlined: `npx <server>`
// installs one package with no dependency tree, and start-up reads one file. HTTP/REST code is a
// separate chunk, loaded only when --http/--rest ask for it.
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
  dts: { entry: { index: "src/index.ts" }, resolve: ["@infra-mcp/core"] },
  noExternal: [/.*/],
  define: { __VERSION__: JSON.stringify(pkg.version) },
  banner: {
    // Bundled CommonJS dependencies (ws) call require(); ESM has none unless we make one.
    js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
});
