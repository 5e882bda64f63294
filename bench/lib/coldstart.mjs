// Cold start: spawn → initialize answered → tools/list answered, over stdio. Subjects run
// interleaved (every round runs each subject once, in a shuffled order) so machine noise hits all
// of them alike.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { shuffle, summarize } from "./stats.mjs";
import { startStdio } from "./stdio.mjs";

/**
 * subject: { label, command, args, env?, cache?: "off" | "fresh" | "warm" }. "fresh" gives every
 * run an empty NODE_COMPILE_CACHE directory (a first start after install); "warm" shares one that
 * a discarded priming run filled; "off" sets NODE_DISABLE_COMPILE_CACHE.
 */
export async function coldStart(subjects, { runs = 11, timeoutMs = 20_000 } = {}) {
  const root = mkdtempSync(join(tmpdir(), "bench-cc-"));
  const times = new Map(subjects.map((s) => [s.label, []]));
  const info = new Map();
  const envFor = (s, i) => {
    const env = { ...process.env, ...s.env };
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;
    if (s.cache === "off") env.NODE_DISABLE_COMPILE_CACHE = "1";
    if (s.cache === "warm") env.NODE_COMPILE_CACHE = join(root, `warm-${subjects.indexOf(s)}`);
    if (s.cache === "fresh") env.NODE_COMPILE_CACHE = join(root, `fresh-${subjects.indexOf(s)}-${i}`);
    return env;
  };
  const once = async (s, i) => {
    if (s.exitOnly) return timeExit(s.command, s.args ?? [], envFor(s, i));
    const proc = startStdio(s.command, s.args ?? [], { env: envFor(s, i) });
    try {
      const r = await proc.handshake(timeoutMs);
      if (!info.has(s.label)) {
        const result = r.list.msg.result ?? {};
        info.set(s.label, {
          tools: result.tools?.length ?? 0,
          listResultBytes: Buffer.byteLength(JSON.stringify(result)),
          ...largestTool(result.tools),
          serverVersion: r.init.msg.result?.serverInfo?.version,
        });
      }
      return r.ms;
    } finally {
      await proc.close();
    }
  };
  try {
    // One discarded priming run each: fills warm caches and the OS page cache for every subject.
    for (const s of subjects) await once(s, "prime");
    for (let round = 0; round < runs; round++) {
      for (const s of shuffle(subjects)) times.get(s.label).push(await once(s, round));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return subjects.map((s) => ({
    ...s,
    ...info.get(s.label),
    ...summarize(times.get(s.label)),
    samples: times.get(s.label),
  }));
}

/** Keys that say something about a field but are not the field itself (what a floor leaves out). */
const NOT_STRUCTURE = new Set([
  "description",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "format",
  "pattern",
  "default",
  "$schema",
]);

/**
 * The floor of a tool entry: the same entry with every field, type, enum and required list kept
 * but no description, bound or format. A nested body listed as one line (an object or array node
 * with a description and no properties/items) keeps the field names of its line, comma-joined:
 * those are fields, not wording. A tool whose floor is over the budget cannot get under it by
 * wording; it has too many fields for one tool.
 */
export function skeletonBytes(tool) {
  return Buffer.byteLength(
    JSON.stringify(tool, function (k, v) {
      if (k === "description" && this && !this.properties && !this.items && /^(object|array)$/.test(this.type)) {
        return [...String(v).matchAll(/\b[a-z][a-z0-9_]*(?=\?|[:,}\]]| \()/g)].map((m) => m[0]).join(",");
      }
      return NOT_STRUCTURE.has(k) ? undefined : v;
    }),
  );
}

/** The largest single entry of a tools/list result (serialised bytes) and its name. */
export function largestTool(tools = []) {
  let largest = { largestToolBytes: 0, largestTool: "", largestToolSkeletonBytes: 0 };
  for (const t of tools) {
    const bytes = Buffer.byteLength(JSON.stringify(t));
    if (bytes > largest.largestToolBytes) {
      largest = { largestToolBytes: bytes, largestTool: t.name, largestToolSkeletonBytes: skeletonBytes(t) };
    }
  }
  return largest;
}

/** Wall time of a plain command to exit (for `node -e ''`), interleaving is the caller's job. */
export async function timeExit(command, args, env = process.env) {
  const { spawn } = await import("node:child_process");
  const t0 = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    const c = spawn(command, args, { stdio: "ignore", env });
    c.on("error", reject);
    c.on("exit", resolve);
  });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// Ad-hoc A/B: node bench/lib/coldstart.mjs RUNS 'label=cmd arg…' …
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [runs, ...specs] = process.argv.slice(2);
  const subjects = specs.map((spec) => {
    const [label, rest] = spec.split("=");
    const [cache, ...cmd] = rest.split(" ");
    return { label, cache, command: cmd[0] === "node" ? process.execPath : cmd[0], args: cmd.slice(1) };
  });
  for (const r of await coldStart(subjects, { runs: Number(runs) })) {
    console.log(
      `${r.label.padEnd(24)} p50 ${r.p50.toFixed(1)}  p90 ${r.p90.toFixed(1)}  min ${r.min.toFixed(1)}  tools ${r.tools}`,
    );
  }
}
