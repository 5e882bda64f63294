/**
 * Environment variable values hidden from tool results (names kept), unless the operator runs
 * with --show-env-values: the environment is where database passwords and API tokens live, and a
 * container's or instance's document carries it whole. One walk over every tool's structured
 * result, by shape, so a tool added later is covered without remembering to ask:
 *
 * - Docker inspect: `Env: ["NAME=value", …]` (Config.Env, also exec/create bodies echoed back);
 * - Kubernetes pod specs: `env: [{name, value}]` (`valueFrom` is a reference, kept);
 * - Incus instance config: `"environment.NAME": "value"` in config / expanded_config;
 * - Incus exec bodies: `environment: {NAME: value}` beside a `command` argv;
 * - Qovery environment variables and secrets: `{key, value, …}` with a `variable_type` or `scope`.
 */
export const MASK = "<masked>";

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** `NAME=value` → `NAME=<masked>` (a bare `NAME`, which Docker allows, is left as it is). */
function maskAssignment(entry: unknown): unknown {
  if (typeof entry !== "string") return entry;
  const eq = entry.indexOf("=");
  return eq < 0 ? entry : `${entry.slice(0, eq + 1)}${MASK}`;
}

function isQoveryVariable(o: Record<string, unknown>): boolean {
  return typeof o.key === "string" && "value" in o && ("variable_type" in o || "scope" in o);
}

/** A copy of `value` with every environment value masked; the input is never changed. */
export function maskEnvValues<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  // Tool results are JSON documents of bounded depth; the bound only guards against a cycle.
  if (depth > 64 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const qovery = isQoveryVariable(src);
  for (const [key, v] of Object.entries(src)) {
    if (qovery && key === "value") out[key] = v === null || v === undefined ? v : MASK;
    else if (key.startsWith("environment.") && typeof v === "string") out[key] = MASK;
    else if (/^env$/i.test(key) && Array.isArray(v)) out[key] = v.map((e) => maskEnvEntry(e, depth + 1));
    else if (key === "environment" && isRecord(v) && Array.isArray(src.command)) out[key] = maskRecord(v);
    else out[key] = walk(v, depth + 1);
  }
  return out;
}

/** One element of an `Env`/`env` array: a Docker `NAME=value` string or a Kubernetes `{name, value}`. */
function maskEnvEntry(entry: unknown, depth: number): unknown {
  if (typeof entry === "string") return maskAssignment(entry);
  if (isRecord(entry) && typeof entry.name === "string" && "value" in entry) {
    return { ...(walk(entry, depth) as Record<string, unknown>), value: MASK };
  }
  return walk(entry, depth);
}

function maskRecord(env: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === "string" ? MASK : v]));
}
