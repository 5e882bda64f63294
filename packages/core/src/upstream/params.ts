import { InputError } from "../base/errors.js";

/**
 * Declarative mapping of tool arguments onto an HTTP request. Path values are always encoded as a
 * single segment and dot-segments are refused, so no argument can change which resource is hit.
 */
export type ParamLocation = "path" | "query" | "body" | "header";

export interface ParamBinding {
  in: ParamLocation;
  /** Wire name when it differs from the argument name (e.g. "all-projects"). */
  as?: string;
}

export interface RequestMapping {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Template with `{name}` placeholders, e.g. /environment/{environmentId}/container. */
  path: string;
  params?: Record<string, ParamLocation | ParamBinding>;
  /** Argument whose whole value is the JSON body (instead of collecting `in: "body"` fields). */
  bodyArg?: string;
  /** Fixed query parameters (e.g. recursion=1). */
  fixedQuery?: Record<string, string>;
}

export interface MappedRequest {
  method: RequestMapping["method"];
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
}

export function encodePathSegment(field: string, value: unknown): string {
  if (value === undefined || value === null) throw new InputError(field, "is required");
  const s = String(value);
  if (s.length === 0) throw new InputError(field, "must not be empty");
  // encodeURIComponent throws a bare URIError on a lone surrogate: name the field instead.
  if (/\p{Cs}/u.test(s)) throw new InputError(field, "contains an unpaired UTF-16 surrogate (invalid Unicode)");
  // WHATWG URL parsing folds "." / ".." (and %2e forms) as dot segments even when encoded.
  let decoded = s;
  try {
    decoded = decodeURIComponent(s);
  } catch {
    // not percent-encoded: keep as is
  }
  if (decoded === "." || decoded === "..") throw new InputError(field, `"${s}" is not a valid identifier`);
  return encodeURIComponent(s).replace(/\./g, "%2E");
}

export function fillPath(template: string, args: Record<string, unknown>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodePathSegment(name, args[name]));
}

export function mapRequest(mapping: RequestMapping, args: Record<string, unknown>): MappedRequest {
  const query: Record<string, string> = { ...mapping.fixedQuery };
  const headers: Record<string, string> = {};
  let body: Record<string, unknown> | undefined;
  for (const [arg, binding] of Object.entries(mapping.params ?? {})) {
    const b: ParamBinding = typeof binding === "string" ? { in: binding } : binding;
    const value = args[arg];
    if (b.in === "path" || value === undefined) continue;
    const wire = b.as ?? arg;
    switch (b.in) {
      case "query":
        if (value === false) break;
        query[wire] = value === true ? "true" : String(value);
        break;
      case "header":
        headers[wire] = String(value);
        break;
      case "body":
        body ??= {};
        body[wire] = value;
        break;
    }
  }
  const out: MappedRequest = { method: mapping.method, path: fillPath(mapping.path, args), query, headers };
  if (mapping.bodyArg !== undefined) out.body = args[mapping.bodyArg];
  else if (body) out.body = body;
  return out;
}
