#!/usr/bin/env node
// Build step of each bin package (after tsup): writes dist/tools-list.json, every tool of the
// vendor (all toolsets) exactly as the SDK's McpServer lists it, so the bin answers tools/list
// without converting zod schemas at start-up. See packages/core/src/tools/listing.ts.
//   node ../../scripts/list-tools.mjs   (from a bin package; reads dist/index.js)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const pkgDir = process.cwd();
const { sdkToolList, TOOLS_LIST_FILE } = await import(
  pathToFileURL(join(import.meta.dirname, "..", "packages", "core", "dist", "index.js")).href
);
const lib = await import(pathToFileURL(join(pkgDir, "dist", "index.js")).href);
const vendor = Object.values(lib).find((v) => v && typeof v === "object" && Array.isArray(v.tools) && v.name);
if (!vendor) throw new Error(`${pkgDir}/dist/index.js exports no vendor definition`);
const tools = await sdkToolList(vendor.tools);
writeFileSync(join(pkgDir, "dist", TOOLS_LIST_FILE), `${JSON.stringify({ tools })}\n`);
process.stdout.write(`${vendor.name}: ${TOOLS_LIST_FILE} (${tools.length} tools)\n`);
