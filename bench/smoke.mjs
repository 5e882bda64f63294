#!/usr/bin/env node
// CI smoke check of the built bins (run after `pnpm build`; builds nothing): each bin answers
// `--version`, and initialize + tools/list over stdio. Generous time bounds: this checks that the
// bundles work, it is not a timed assertion (performance is `pnpm bench`).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStdio } from "./lib/stdio.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const VENDORS = ["incus", "portainer", "qovery"];
let passed = 0;
let failed = 0;
const check = async (name, fn) => {
  try {
    const detail = await fn();
    passed++;
    console.log(`ok   ${name}${detail ? ` — ${detail}` : ""}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name} — ${error.message}`);
  }
};

for (const v of VENDORS) {
  const pkgDir = join(ROOT, "packages", `${v}-mcp`);
  const bin = join(pkgDir, "bin.cjs");
  const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  await check(`${v}-mcp is built`, async () => {
    if (!existsSync(join(pkgDir, "dist", "cli.cjs"))) throw new Error("dist/cli.cjs missing: run pnpm build first");
  });
  await check(`${v}-mcp --version`, async () => {
    const out = await new Promise((resolve, reject) =>
      execFile(process.execPath, [bin, "--version"], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message} ${stderr}`)) : resolve(stdout.trim()),
      ),
    );
    if (out !== version) throw new Error(`printed "${out}", package.json says ${version}`);
    return out;
  });
  await check(`${v}-mcp initialize + tools/list over stdio`, async () => {
    // No vendor configuration at all: the server must still start and list (config errors are
    // reported per call), so this needs no daemon.
    const server = startStdio(process.execPath, [bin], { env: { PATH: process.env.PATH ?? "" } });
    try {
      const { init, list } = await server.handshake(30_000);
      const info = init.msg.result?.serverInfo;
      if (info?.name !== `${v}-mcp`) throw new Error(`serverInfo.name is ${JSON.stringify(info?.name)}`);
      const tools = list.msg.result?.tools;
      if (!Array.isArray(tools)) throw new Error("tools/list returned no tools array");
      for (const t of tools) {
        if (typeof t.name !== "string" || t.inputSchema?.type !== "object")
          throw new Error(`malformed tool ${JSON.stringify(t).slice(0, 200)}`);
      }
      return `${tools.length} tools`;
    } finally {
      await server.close();
    }
  });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
