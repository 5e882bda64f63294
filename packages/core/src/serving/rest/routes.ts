import { ConfigError, InputError } from "../../base/errors.js";
import type { AnyRoute, AnyTool } from "../../tools/definition.js";
import type { VendorDefinition } from "../../tools/vendor.js";

/**
 * The seeds' REST routes, compiled: each vendor's route table (VendorDefinition.routes) becomes
 * matchers that turn the request path into named tool arguments. Route templates use
 * `{placeholder}` segments. Only routes of the offered tools (`tools`) are served.
 */
export interface CompiledRoute {
  vendor: VendorDefinition<unknown>;
  tool: AnyTool<unknown>;
  route: AnyRoute<unknown>;
  /** Template segments; a placeholder is `{ arg }` (already mapped through pathArgs). */
  segments: ({ literal: string } | { arg: string })[];
}

export function compileRoutes(entries: { vendor: VendorDefinition<unknown>; tools: readonly AnyTool<unknown>[] }[]) {
  const routes: CompiledRoute[] = [];
  const seen = new Map<string, string>();
  for (const { vendor, tools } of entries) {
    for (const route of vendor.routes ?? []) {
      const tool = route.tool;
      if (!vendor.tools.includes(tool)) {
        throw new ConfigError(
          `${vendor.name}: REST route ${route.path} answers with ${tool.name}, which is not in its tool table.`,
        );
      }
      if (!tools.includes(tool)) continue;
      if (!route.path.startsWith("/")) {
        throw new ConfigError(`${vendor.name}/${tool.name}: REST path "${route.path}" must start with "/".`);
      }
      const segments = route.path
        .split("/")
        .slice(1)
        .map((s) => {
          const m = /^\{([^}]+)\}$/.exec(s);
          return m?.[1] ? { arg: route.pathArgs?.[m[1]] ?? m[1] } : { literal: s };
        });
      const key = `${route.method} /${segments.map((s) => ("arg" in s ? "{}" : s.literal)).join("/")}`;
      const owner = `${vendor.name}/${tool.name}`;
      const prior = seen.get(key);
      if (prior) throw new ConfigError(`REST route ${key} is declared twice: by ${prior} and by ${owner}.`);
      seen.set(key, owner);
      routes.push({ vendor, tool, route, segments });
    }
  }
  return routes;
}

export type RouteMatch =
  | { kind: "match"; route: CompiledRoute; pathArgs: Record<string, string> }
  | { kind: "method"; allow: string[] }
  | { kind: "none" };

export function matchRoute(routes: readonly CompiledRoute[], method: string, pathname: string): RouteMatch {
  const parts = pathname.replace(/\/+$/, "").split("/").slice(1);
  const allow = new Set<string>();
  for (const r of routes) {
    const pathArgs = matchSegments(r.segments, parts);
    if (!pathArgs) continue;
    // A websocket route also answers POST: the plain call, with its arguments as a JSON body.
    const methods = r.route.openUpstreamSocket ? [r.route.method, "POST"] : [r.route.method];
    if (methods.includes(method)) return { kind: "match", route: r, pathArgs };
    for (const m of methods) allow.add(m);
  }
  return allow.size ? { kind: "method", allow: [...allow] } : { kind: "none" };
}

function matchSegments(segments: CompiledRoute["segments"], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = parts[i]!;
    if ("literal" in seg) {
      if (seg.literal !== part) return undefined;
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(part);
    } catch {
      throw new InputError(seg.arg, "is not validly percent-encoded in the path");
    }
    if (!value) return undefined;
    out[seg.arg] = value;
  }
  return out;
}

// ---- string → typed argument, guided by the zod schema (query and path values are strings) ----

interface ZodLike {
  _zod?: { def?: Record<string, unknown> & { type?: string } };
}

function unwrap(schema: unknown): ZodLike | undefined {
  let s = schema as ZodLike | undefined;
  for (let i = 0; i < 10 && s?._zod?.def; i++) {
    const def = s._zod.def;
    if (["optional", "default", "nullable", "readonly", "catch", "prefault", "nonoptional"].includes(def.type ?? "")) {
      s = def.innerType as ZodLike;
    } else if (def.type === "pipe") {
      s = def.in as ZodLike;
    } else break;
  }
  return s;
}

function fieldSchema(tool: AnyTool<unknown>, name: string): ZodLike | undefined {
  const shape = (tool.inputSchema as unknown as { shape?: Record<string, unknown> }).shape;
  return unwrap(shape?.[name]);
}

function coerceOne(schema: ZodLike | undefined, raw: string): unknown {
  const type = schema?._zod?.def?.type;
  switch (type) {
    case "number":
    case "int":
      return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case "boolean":
      if (raw === "" || raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      return raw;
    case "object":
    case "record":
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    case "union": {
      const options = (schema?._zod?.def?.options as ZodLike[] | undefined) ?? [];
      const types = new Set(options.map((o) => unwrap(o)?._zod?.def?.type));
      if (types.has("string")) return raw;
      if ((types.has("number") || types.has("int")) && raw.trim() !== "" && Number.isFinite(Number(raw)))
        return Number(raw);
      if (types.has("boolean") && (raw === "true" || raw === "false")) return raw === "true";
      return raw;
    }
    default:
      return raw;
  }
}

/** Turns query/path strings into the types the tool's schema expects (numbers, booleans, arrays). */
export function coerceArg(tool: AnyTool<unknown>, name: string, raw: string | string[]): unknown {
  const schema = fieldSchema(tool, name);
  if (schema?._zod?.def?.type === "array") {
    const element = unwrap(schema._zod.def.element);
    const items = Array.isArray(raw) ? raw : raw === "" ? [] : raw.split(",");
    return items.map((v) => coerceOne(element, v));
  }
  return coerceOne(schema, Array.isArray(raw) ? (raw[raw.length - 1] ?? "") : raw);
}

/** Arguments from query, body and path (path wins; a body/query value contradicting it is refused). */
export function buildArgs(
  compiled: CompiledRoute,
  query: URLSearchParams,
  pathArgs: Record<string, string>,
  body: unknown,
): Record<string, unknown> {
  const { tool, route } = compiled;
  const args: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key);
    args[key] = coerceArg(tool, key, all.length > 1 ? all : (all[0] ?? ""));
  }
  if (body !== undefined) {
    const target = route.body ?? "merge";
    if (target === "merge") {
      if (!body || typeof body !== "object" || Array.isArray(body)) {
        throw new InputError("(body)", "must be a JSON object");
      }
      Object.assign(args, body);
    } else {
      args[target] = body;
    }
  }
  for (const [name, raw] of Object.entries(pathArgs)) {
    const value = coerceArg(tool, name, raw);
    if (name in args && JSON.stringify(args[name]) !== JSON.stringify(value)) {
      throw new InputError(name, `is given in the path as "${raw}" and differently in the query or body`);
    }
    args[name] = value;
  }
  return args;
}
