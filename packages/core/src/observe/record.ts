import { sha256 } from "./audit.js";

/**
 * Arguments that carry a payload (what is written into a process or a file, a request body): the
 * record holds their size and sha256, never their content. Commands, paths and names stay as given.
 */
const PAYLOAD = /^(stdin|content|contents|data|body|payload|input|file|fileContent|script|value|values)$/i;
/** Arguments that carry a credential: never recorded at all, not even as a hash. */
const SECRET = /(password|passwd|secret|token|credential|apikey|api_key|privatekey|private_key)/i;
/** A string this long is a payload whatever its name (an inline manifest, a base64 file). */
const LONG = 1024;

/** The record's form of a payload: its size and digest. */
export function payloadDigest(value: unknown): { bytes: number; sha256: string } {
  const buf = Buffer.isBuffer(value)
    ? value
    : Buffer.from(typeof value === "string" ? value : JSON.stringify(value ?? null), "utf8");
  return { bytes: buf.length, sha256: sha256(buf) };
}

/** The arguments as the audit record shows them: payloads digested, credentials dropped. */
export function auditArgs(args: unknown, depth = 0): unknown {
  if (args === null || typeof args !== "object") {
    return typeof args === "string" && args.length > LONG ? payloadDigest(args) : args;
  }
  if (depth > 4) return payloadDigest(args);
  if (Array.isArray(args)) return args.map((v) => auditArgs(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    if (SECRET.test(key)) out[key] = "[redacted]";
    else if (PAYLOAD.test(key) && value !== "" && typeof value !== "boolean") out[key] = payloadDigest(value);
    else out[key] = auditArgs(value, depth + 1);
  }
  return out;
}

/**
 * Where the call lands, from the arguments that name it: the Portainer environment (endpointId /
 * environmentId), the Incus remote and project, the Qovery organization. Core knows no vendor;
 * these are the argument names the vendors share for "which upstream scope".
 */
const TARGET_KEYS = ["endpointId", "environmentId", "remote", "project", "organizationId"] as const;

export function targetOf(args: unknown): Record<string, unknown> | undefined {
  if (args === null || typeof args !== "object") return undefined;
  const a = args as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key of TARGET_KEYS) {
    const v = a[key];
    if (typeof v !== "string" && typeof v !== "number") continue;
    out ??= {};
    out[key] = v;
  }
  return out;
}

/** Upstream ids a result names (an exec id, an operation id, a session id), for the outcome record. */
export function upstreamIds(structured: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!structured) return undefined;
  let out: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(structured)) {
    if (
      (key === "id" || /[a-z]Id$/.test(key) || key === "operation") &&
      typeof value === "string" &&
      value.length <= 200
    ) {
      out ??= {};
      out[key] = value;
    }
  }
  return out;
}
