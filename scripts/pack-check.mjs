#!/usr/bin/env node
// Proves each vendor package works as published: `pnpm pack`, install the tarball into an empty
// folder, then `npx <server> --version` and an MCP initialize + tools/list over stdio from there.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const vendors = ["portainer-mcp", "incus-mcp", "qovery-mcp"];
const root = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "infra-mcp-pack-"));
let failed = false;

function initializeAndList(bin, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["--no-install", bin], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${bin}: no tools/list answer within 20 s`));
    }, 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes('"id":2'));
      if (line) {
        clearTimeout(timer);
        child.stdin.end();
        resolve(JSON.parse(line).result.tools.length);
      }
    });
    const send = (m) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "pack-check", version: "1" } },
    });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
  });
}

try {
  for (const name of vendors) {
    const pkgDir = join(root, "packages", name);
    const version = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
    const tgz = execFileSync("pnpm", ["pack", "--pack-destination", work], { cwd: pkgDir, encoding: "utf8" })
      .trim()
      .split("\n")
      .pop();
    const app = join(work, `app-${name}`);
    execFileSync("mkdir", ["-p", app]);
    writeFileSync(join(app, "package.json"), '{"name":"empty","private":true}');
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", tgz], { cwd: app, stdio: "inherit" });
    const got = execFileSync("npx", ["--no-install", name, "--version"], { cwd: app, encoding: "utf8" }).trim();
    const tools = await initializeAndList(name, app);
    const ok = got === version;
    failed ||= !ok;
    console.log(
      `${ok ? "ok  " : "FAIL"} ${name}: packed, installed, --version=${got} (want ${version}), tools/list=${tools} tools`,
    );
  }
} catch (error) {
  failed = true;
  console.error(`FAIL ${error.message}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
