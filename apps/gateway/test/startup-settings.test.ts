/**
 * Start-up checks. Every environment variable a bin reads is declared in a settings table (core's
 * CORE_SETTINGS and CLI_SETTINGS, each vendor's `settings`), and each bin parses all of its tables
 * before it serves: a bad value exits 2 with one JSON line on stderr naming the variable and what
 * it accepts, never a stack and never a server that starts and then fails every call.
 *
 * The coverage test scans the sources the way docs.test.ts does, so a variable read anywhere but
 * declared nowhere fails here; the sweep then sets every declared variable that can be wrong to a
 * wrong value at once and expects each bin to name every one of them.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { CLI_SETTINGS, CORE_SETTINGS, type Setting, type SettingsTable } from "@infra-mcp/core";
import { describe, expect, it } from "vitest";
import { vendors } from "../src/vendors.js";
import {
  projectPrefixes,
  readRepo,
  repoRoot,
  SYSTEM_VARIABLES,
  scanSource,
  sourceFiles,
  units,
} from "./source-scan.js";

/** The tables each unit's reads must be declared in. */
function tablesOf(unit: string): SettingsTable[] {
  if (unit === "packages/core") return [CORE_SETTINGS, CLI_SETTINGS];
  if (unit === "apps/gateway") return [CORE_SETTINGS];
  const vendor = vendors.find((v) => `packages/${v.name}` === unit);
  return vendor ? [vendor.settings ?? {}] : [];
}

/** What each bin checks at start-up (runCli: core + CLI + its vendor; the gateway: core + every vendor). */
const BINS: Record<string, { bin: string; tables: SettingsTable[] }> = {
  ...Object.fromEntries(
    vendors.map((v) => [
      v.name,
      { bin: `packages/${v.name}/bin.cjs`, tables: [CORE_SETTINGS, CLI_SETTINGS, v.settings ?? {}] },
    ]),
  ),
  "infra-mcp-gateway": { bin: "apps/gateway/bin.js", tables: [CORE_SETTINGS, ...vendors.map((v) => v.settings ?? {})] },
};

/** A value each kind refuses; undefined for kinds that take any text. */
function badValue(setting: Setting): string | undefined {
  switch (setting.kind) {
    case "int":
      return "abc";
    case "port":
      return "99999";
    case "bool":
      return "maybe";
    case "enum":
      return "verbose";
    case "url":
      return "not a url";
    case "pattern":
      return "not valid!";
    case "credential":
      return "abc";
    case "file":
    case "path":
      return "/nonexistent/infra-mcp-startup-check";
    default:
      return undefined;
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bin with exactly this environment (plus PATH) and stdin at end of file. */
function runBin(bin: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, bin), ...args], {
      env: { PATH: process.env.PATH ?? "", NODE_DISABLE_COMPILE_CACHE: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    // A bin that serves instead of refusing would run forever: end it and let the asserts say why.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exit 2, nothing on stdout, one JSON error line (no stack) naming `variable`; returns the line. */
function expectRefused(r: Run, bin: string, variable: string): Record<string, unknown> {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(line).toMatchObject({ level: "error", name: bin, variable });
  expect(line.msg).toContain(variable);
  return line;
}

describe("every variable the code reads is declared in a settings table", () => {
  const prefixes = projectPrefixes();

  it("no unit reads a variable its tables do not declare", () => {
    const problems: string[] = [];
    for (const u of units()) {
      const tables = tablesOf(u.id);
      const declared = (name: string) =>
        tables.some((t) => name in t) ||
        (name.endsWith("_FILE") &&
          tables.some((t) => {
            const s = t[name.slice(0, -"_FILE".length)];
            return s?.kind === "credential" && s.file === true;
          }));
      const seen = new Set<string>();
      for (const f of sourceFiles(u.srcDir)) {
        for (const r of scanSource(readRepo(f), f, prefixes)) {
          if (SYSTEM_VARIABLES.has(r.name) || seen.has(r.name) || declared(r.name)) continue;
          seen.add(r.name);
          problems.push(
            `${r.name} is read at ${r.where} but declared in no settings table of ${u.id}: add it (with what it accepts) to ${u.id === "packages/core" || u.id === "apps/gateway" ? "CORE_SETTINGS or CLI_SETTINGS in packages/core/src/base/settings.ts" : `the vendor's settings table (${u.id}/src/config.ts)`}.`,
          );
        }
      }
    }
    expect(problems, `\n${problems.join("\n")}\n`).toEqual([]);
  });

  it("every declared variable is read by the code (a table lists nothing dead)", () => {
    const read = new Set(
      units().flatMap((u) =>
        sourceFiles(u.srcDir).flatMap((f) => scanSource(readRepo(f), f, prefixes).map((r) => r.name)),
      ),
    );
    const tables = [CORE_SETTINGS, CLI_SETTINGS, ...vendors.map((v) => v.settings ?? {})];
    const dead = tables.flatMap((t) => Object.keys(t)).filter((n) => !read.has(n));
    expect(dead).toEqual([]);
  });

  it("the vendors declare their variables at all (the sweep below cannot pass on empty tables)", () => {
    for (const v of vendors) expect(Object.keys(v.settings ?? {}).length, v.name).toBeGreaterThan(3);
  });
});

describe("each bin refuses every malformed variable at start-up", () => {
  for (const [name, { bin, tables }] of Object.entries(BINS)) {
    it(`${name}: every variable set wrong at once → exit 2, one JSON line naming each of them`, async () => {
      const env: Record<string, string> = {};
      for (const table of tables) {
        for (const [variable, setting] of Object.entries(table)) {
          const bad = badValue(setting);
          if (bad !== undefined) env[variable] = bad;
        }
      }
      const names = Object.keys(env).sort();
      expect(names.length).toBeGreaterThan(15);
      const r = await runBin(bin, env);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines, r.stderr).toHaveLength(1);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      const line = JSON.parse(lines[0]!) as { variable: string; msg: string };
      expect(line.variable.split(", ").sort()).toEqual(names);
      for (const n of names) expect(line.msg).toContain(n);
    });
  }
});

describe("the cases of issue 23, each through its bin", () => {
  const cases: {
    bin: keyof typeof BINS;
    env: Record<string, string>;
    variable: string;
    accepts: string;
    args?: string[];
  }[] = [
    {
      bin: "incus-mcp",
      env: { MCP_STREAM_BUFFER_BYTES: "4MiB" },
      variable: "MCP_STREAM_BUFFER_BYTES",
      accepts: "a positive integer",
    },
    {
      bin: "portainer-mcp",
      env: { MCP_MAX_STREAM_SESSIONS: "0" },
      variable: "MCP_MAX_STREAM_SESSIONS",
      accepts: "a positive integer",
    },
    {
      bin: "qovery-mcp",
      env: { MCP_STREAM_IDLE_SECONDS: "-5" },
      variable: "MCP_STREAM_IDLE_SECONDS",
      accepts: "a positive integer",
    },
    // Over HTTP these used to start listening and answer every initialize with 500.
    {
      bin: "incus-mcp",
      env: { MCP_STREAM_MEMORY_BYTES: "lots" },
      variable: "MCP_STREAM_MEMORY_BYTES",
      accepts: "a positive integer",
      args: ["--http", "--port", "0"],
    },
    {
      bin: "infra-mcp-gateway",
      env: { MCP_STREAM_BUFFER_BYTES: "abc" },
      variable: "MCP_STREAM_BUFFER_BYTES",
      accepts: "a positive integer",
      args: ["--port", "0", "--rest-port", "0"],
    },
    {
      bin: "incus-mcp",
      env: { LOG_LEVEL: "verbose" },
      variable: "LOG_LEVEL",
      accepts: "one of debug, info, warn, error",
    },
    { bin: "incus-mcp", env: { INCUS_TIMEOUT_MS: "abc" }, variable: "INCUS_TIMEOUT_MS", accepts: "a positive integer" },
    {
      bin: "qovery-mcp",
      env: { QOVERY_API_KEY: "qov_123456", MCP_UPSTREAM_RETRIES: "-1" },
      variable: "MCP_UPSTREAM_RETRIES",
      accepts: "a non-negative integer",
    },
    {
      bin: "portainer-mcp",
      env: { PORTAINER_URL: "https://127.0.0.1:9", PORTAINER_API_KEY: "abc" },
      variable: "PORTAINER_API_KEY",
      accepts: "a credential of at least 6 characters (or _FILE naming a file holding it)",
    },
  ];
  for (const c of cases) {
    const shown = Object.entries(c.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    it(`${c.bin} ${[shown, ...(c.args ?? [])].join(" ")} → exit 2 naming ${c.variable}`, async () => {
      const r = await runBin(BINS[c.bin]!.bin, c.env, c.args);
      const line = expectRefused(r, c.bin, c.variable);
      expect(line.accepts).toBe(c.accepts);
      // A credential's value is never quoted, even one too short to be redacted.
      if (c.variable === "PORTAINER_API_KEY") expect(String(line.msg)).not.toContain('"abc"');
    });
  }

  it("--help and --version still answer with a bad variable (that is how one finds what it accepts)", async () => {
    const help = await runBin("packages/incus-mcp/bin.cjs", { LOG_LEVEL: "verbose" }, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("LOG_LEVEL");
    const version = await runBin("packages/incus-mcp/bin.cjs", { LOG_LEVEL: "verbose" }, ["--version"]);
    expect(version.code).toBe(0);
  });

  it("a good environment still starts (the check refuses only what is wrong)", async () => {
    const r = await runBin("packages/qovery-mcp/bin.cjs", {
      LOG_LEVEL: "WARN",
      MCP_STREAM_BUFFER_BYTES: "65536",
      MCP_UPSTREAM_RETRIES: "0",
      QOVERY_TIMEOUT_MS: "1000",
      MCP_READ_ONLY: "yes",
    });
    // stdin is at end of file, so a started stdio server ends cleanly at once.
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
  });
});
