// Start-up profile of a stdio server: runs it under --cpu-prof through initialize + tools/list,
// then attributes self time to packages (through a source map next to the bundle when there is
// one, else to the script file) so a start-cost gap can be explained with evidence.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStdio } from "./stdio.mjs";

export function packageOf(file) {
  if (!file) return "(native)";
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (m) return m[1];
  if (file.startsWith("node:")) return "node internals";
  const p = /packages\/([^/]+)\//.exec(file);
  if (p) return p[1] === "core" ? "@infra-mcp/core" : `${p[1]} (own code)`;
  return file.replace(/^file:\/\//, "");
}

function mapFor(url, cache) {
  if (cache.has(url)) return cache.get(url);
  let map = null;
  try {
    // ES modules report file:// URLs; a script run by vm (the bins' launch) its plain path.
    const path = url.startsWith("file://") ? fileURLToPath(url) : url.startsWith("/") ? url : null;
    if (path && existsSync(`${path}.map`)) {
      const payload = JSON.parse(readFileSync(`${path}.map`, "utf8"));
      map = { sm: new SourceMap(payload), dir: path };
    }
  } catch {
    map = null;
  }
  cache.set(url, map);
  return map;
}

/** Self time per package (ms) and the total, from a .cpuprofile object. */
export function attribute(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const dts = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (dts[i] ?? 0));
  }
  const cache = new Map();
  const out = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    const cf = node.callFrame;
    let key;
    if (!cf.url) key = cf.functionName ? `(${cf.functionName.replace(/[()]/g, "")})` : "(native)";
    else {
      const m = mapFor(cf.url, cache);
      if (m) {
        const e = m.sm.findEntry(cf.lineNumber, cf.columnNumber);
        key = packageOf(e?.originalSource ? new URL(e.originalSource, cf.url).pathname : cf.url);
      } else key = packageOf(cf.url);
    }
    if (key === "(idle)") continue;
    out.set(key, (out.get(key) ?? 0) + us / 1000);
    total += us / 1000;
  }
  return { total, rows: [...out.entries()].sort((a, b) => b[1] - a[1]) };
}

/** Runs `node [...nodeArgs] script [...args]` under --cpu-prof through the handshake. */
export async function profileStart(script, { args = [], env = process.env, nodeArgs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "bench-prof-"));
  try {
    const s = startStdio(
      process.execPath,
      ["--cpu-prof", "--cpu-prof-interval=100", `--cpu-prof-dir=${dir}`, ...nodeArgs, script, ...args],
      {
        env,
      },
    );
    const r = await s.handshake();
    // Graceful end (stdin closed) so V8 writes the profile.
    await new Promise((resolve) => {
      const t = setTimeout(() => s.child.kill("SIGKILL"), 5_000);
      s.child.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      s.child.stdin.end();
    });
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no profile written for ${script}`);
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));
    return { handshakeMs: r.ms, ...attribute(profile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median-of-runs profile: the per-package self time averaged over `runs` profiled starts. */
export async function profileMany(script, { runs = 5, ...options } = {}) {
  const acc = new Map();
  let total = 0;
  let handshake = 0;
  for (let i = 0; i < runs; i++) {
    const r = await profileStart(script, options);
    total += r.total / runs;
    handshake += r.handshakeMs / runs;
    for (const [k, ms] of r.rows) acc.set(k, (acc.get(k) ?? 0) + ms / runs);
  }
  return { handshakeMs: handshake, total, rows: [...acc.entries()].sort((a, b) => b[1] - a[1]) };
}

// node bench/lib/profile.mjs [--warm DIR] script [args…]: where a start's CPU time goes.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let argv = process.argv.slice(2);
  const env = { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" };
  if (argv[0] === "--warm") {
    delete env.NODE_DISABLE_COMPILE_CACHE;
    env.NODE_COMPILE_CACHE = argv[1];
    argv = argv.slice(2);
  }
  const [script, ...args] = argv;
  const r = await profileMany(script, { args, env, runs: 5 });
  console.log(`handshake ${r.handshakeMs.toFixed(1)} ms (profiled), CPU samples ${r.total.toFixed(1)} ms`);
  for (const [k, ms] of r.rows.slice(0, 25)) console.log(`${ms.toFixed(1).padStart(8)} ms  ${k}`);
}
