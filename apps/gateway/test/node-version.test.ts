/**
 * Each bin (a vendor's bin.cjs, the gateway's bin.js) checks the Node version before it loads
 * anything: under 22 it exits 2 with one JSON line saying Node >= 22 is needed and which Node it
 * found (on Node 20 the servers used to start, list their tools, then fail every upstream call
 * inside the lazily loaded HTTP client).
 *
 * The test runs the bins under a real Node older than 22, never a faked version: a fake would not
 * show that the bin itself parses and runs on the old Node. It takes INFRA_MCP_OLD_NODE (a path to
 * such a node; `./dev test` installs node@20 into its toolchain cache and sets it when the machine
 * has none), else the first of the usual system paths that holds a Node < 22. With none found it
 * fails under CI and skips loudly elsewhere, like the daemon suites.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./source-scan.js";

function versionOf(node: string): string | undefined {
  try {
    return execFileSync(node, ["--version"], { encoding: "utf8", timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

function findOldNode(): { node: string; version: string } | undefined {
  const candidates = [
    process.env.INFRA_MCP_OLD_NODE,
    "/usr/bin/node",
    "/usr/local/bin/node",
    "/bin/node",
    "/opt/homebrew/bin/node",
  ];
  for (const node of candidates) {
    if (!node || !existsSync(node)) continue;
    const version = versionOf(node);
    if (version && Number(/^v(\d+)/.exec(version)?.[1]) < 22) return { node, version };
  }
  return undefined;
}

const old = findOldNode();
if (!old) {
  const why =
    "no Node older than 22 found (set INFRA_MCP_OLD_NODE to one; `./dev test` installs node@20 into its toolchain cache)";
  if (process.env.CI) throw new Error(`node-version.test.ts: ${why}.`);
  console.warn(`SKIPPED node-version.test.ts: ${why}.`);
}

const BINS = {
  "incus-mcp": "packages/incus-mcp/bin.cjs",
  "portainer-mcp": "packages/portainer-mcp/bin.cjs",
  "qovery-mcp": "packages/qovery-mcp/bin.cjs",
  "infra-mcp-gateway": "apps/gateway/bin.js",
};

describe.skipIf(!old)(`each bin under ${old?.version ?? "an old Node"} (${old?.node ?? "none found"})`, () => {
  for (const [name, bin] of Object.entries(BINS)) {
    it(`${name}: exit 2, one JSON line saying Node >= 22 is needed and which Node this is`, () => {
      const r = spawnSync(old!.node, [join(repoRoot, bin)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "", PORTAINER_URL: "https://127.0.0.1:9", QOVERY_API_KEY: "qov_123456" },
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trim().split("\n");
      expect(lines, r.stderr).toHaveLength(1);
      const line = JSON.parse(lines[0]!) as { level: string; msg: string; name: string };
      expect(line.level).toBe("error");
      expect(line.name).toBe(name);
      expect(line.msg).toContain("Node >= 22");
      expect(line.msg).toContain(old!.version);
    });
  }
});
