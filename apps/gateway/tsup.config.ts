import { defineConfig } from "tsup";
import { selfContained } from "../../tsup.shared.ts";

// One self-contained bundle for the image (no install step). The vendors' library entries import
// @infra-mcp/core from their importer, so everything here is bundled against ONE copy of core.
export default defineConfig({
  ...selfContained(new URL("./package.json", import.meta.url), { cli: "src/cli.ts", index: "src/index.ts" }),
  clean: true,
});
