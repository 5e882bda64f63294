/**
 * Compact text summaries of Qovery answers: what the model reads first. The full JSON is the
 * tool's structuredContent, so these stay short (one line per object).
 */
type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown, fallback = "?"): string =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : fallback;

export function results(data: unknown): Obj[] {
  const r = obj(data).results;
  return Array.isArray(r) ? r.map(obj) : [];
}

/** `name (id) image:tag [state]`, plus size and instances. */
export function containerLine(c: Obj, state?: string): string {
  const res = `${str(c.cpu)}m/${str(c.memory)}MB x${str(c.min_running_instances)}-${str(c.max_running_instances)}`;
  return `${str(c.name)} (${str(c.id)}) ${str(c.image_name)}:${str(c.tag)} ${state ?? "state unknown"} ${res}`;
}

/** One line per ReferenceObjectStatus: id, state, deployment status, last deployment. */
export function statusLine(s: Obj): string {
  const when = typeof s.last_deployment_date === "string" ? ` last deployed ${s.last_deployment_date}` : "";
  const dep = s.service_deployment_status ? ` (${str(s.service_deployment_status)})` : "";
  return `${str(s.id)} ${str(s.state)}${dep}${when}`;
}

/** The advanced settings (41 dotted keys) folded by prefix: one line per group. */
export function advancedSettings(data: unknown): string {
  const entries = Object.entries(obj(data));
  if (!entries.length) return "No advanced settings returned.";
  const groups = new Map<string, string[]>();
  for (const [key, value] of entries) {
    const parts = key.split(".");
    const depth = parts[0] === "network" ? 2 : 1;
    const group = parts.slice(0, depth).join(".");
    const rest = parts.slice(depth).join(".") || key;
    const full = value === null ? "null" : typeof value === "object" ? JSON.stringify(value) : String(value);
    const shown = full.length > 40 ? `${full.slice(0, 39)}…` : full;
    groups.set(group, [...(groups.get(group) ?? []), `${rest}=${shown}`]);
  }
  const lines = [...groups].map(([g, kv]) => `${g}: ${kv.join(", ")}`);
  return `${entries.length} default container advanced settings (full JSON in structuredContent):\n${lines.join("\n")}`;
}
