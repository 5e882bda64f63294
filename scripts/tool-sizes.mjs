#!/usr/bin/env node
// Prints the tools/list JSON size of every tool of the given vendor packages (built dist).
// Usage: node scripts/tool-sizes.mjs portainer-mcp qovery-mcp
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "..");
const core = await import(pathToFileURL(resolve(root, "packages/core/dist/testing/index.js")).href);
for (const pkg of process.argv.slice(2)) {
  const mod = await import(pathToFileURL(resolve(root, `packages/${pkg}/dist/index.js`)).href);
  const vendor = Object.values(mod).find((v) => v && typeof v === "object" && "tools" in v && "createClient" in v);
  const conn = await core.connectInMemory(vendor, { env: {} });
  const { tools } = await conn.client.listTools();
  await conn.close();
  let total = 0;
  console.log(`${pkg} (${tools.length} tools)`);
  for (const t of tools) {
    const n = Buffer.byteLength(JSON.stringify(t));
    total += n;
    console.log(`  ${String(n).padStart(6)}  ${t.name}`);
  }
  console.log(`  ${String(Math.round(total / tools.length)).padStart(6)}  (average)  total ${total}\n`);
}
