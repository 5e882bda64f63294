/**
 * Contract checking against Qovery's own OpenAPI 3.0 file: a request the server actually sent
 * (method, path, query, headers, body) is matched to its operation and validated with ajv. OpenAPI
 * 3.0 is not JSON Schema, so the schemas are converted first (nullable → null branch; example,
 * discriminator and x-* dropped). Qovery's schemas never close objects (no additionalProperties:
 * false), so ajv alone would accept a misspelt field: unknownProperties() adds that check.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

/** Qovery's published spec, copied into the repository as a test fixture (source and licence: spec/SOURCES.md). */
export const SPEC_PATH = fileURLToPath(new URL("./spec/qovery-openapi.yaml", import.meta.url));

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  op: Json;
}

export interface CapturedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** OpenAPI 3.0 schema object → JSON Schema (draft-07 subset ajv understands). */
export function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== "object") return node;
  const src = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k.startsWith("x-") || k === "example" || k === "discriminator" || k === "nullable") continue;
    if (k === "properties" && v && typeof v === "object") {
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([name, s]) => [name, convert(s)]));
    } else if (k === "$ref" && typeof v === "string") {
      out[k] = `qovery${v}`;
    } else {
      out[k] = convert(v);
    }
  }
  return src.nullable === true ? { anyOf: [out, { type: "null" }] } : out;
}

export class QoverySpec {
  readonly doc: Json;
  readonly ajv: Ajv;
  readonly ops: Operation[] = [];
  readonly #schemas: Record<string, unknown>;

  constructor(path = SPEC_PATH) {
    this.doc = parse(readFileSync(path, "utf8")) as Json;
    const components = this.doc.components as Json;
    this.#schemas = convert(components.schemas) as Record<string, unknown>;
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(this.ajv);
    this.ajv.addFormat("int32", true).addFormat("int64", true);
    this.ajv.addSchema({ $id: "qovery", components: { schemas: this.#schemas } });
    for (const [template, item] of Object.entries(this.doc.paths as Json)) {
      const names: string[] = [];
      const regex = new RegExp(
        `^${template.replace(/\{([^}]+)\}/g, (_, n: string) => {
          names.push(n);
          return "([^/]+)";
        })}$`,
      );
      for (const [method, op] of Object.entries(item as Json)) {
        if (["get", "post", "put", "patch", "delete"].includes(method)) {
          this.ops.push({ method: method.toUpperCase(), template, regex, names, op: op as Json });
        }
      }
    }
  }

  /** The operation a request hits; literal segments win over placeholders, as in a router. */
  find(method: string, path: string): (Operation & { params: Record<string, string> }) | undefined {
    const hits = this.ops
      .filter((o) => o.method === method && o.regex.test(path))
      .sort((a, b) => a.names.length - b.names.length);
    const hit = hits[0];
    if (!hit) return undefined;
    const m = hit.regex.exec(path) ?? [];
    const params = Object.fromEntries(hit.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
    return { ...hit, params };
  }

  #param(p: Json): Json {
    const ref = p.$ref;
    if (typeof ref === "string") {
      const name = ref.split("/").pop() ?? "";
      return ((this.doc.components as Json).parameters as Json)[name] as Json;
    }
    return p;
  }

  schema(name: string): unknown {
    return this.#schemas[name];
  }

  validateSchema(schema: unknown, value: unknown): string[] {
    const validate = this.ajv.compile(schema as object);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || "(root)"} ${e.message}`);
  }

  /** Every way the request departs from the spec; [] means it conforms. */
  check(req: CapturedRequest): { operationId: string | undefined; problems: string[] } {
    const problems: string[] = [];
    const op = this.find(req.method, req.path);
    if (!op) return { operationId: undefined, problems: [`no operation ${req.method} ${req.path} in the spec`] };
    const params = ((op.op.parameters as Json[] | undefined) ?? []).map((p) => this.#param(p));
    for (const p of params) {
      const where = p.in as string;
      const name = p.name as string;
      const value =
        where === "path" ? op.params[name] : where === "query" ? req.query[name] : req.headers[name.toLowerCase()];
      if (value === undefined) {
        if (p.required) problems.push(`missing required ${where} parameter ${name}`);
        continue;
      }
      for (const e of this.validateSchema(convert(p.schema), value)) problems.push(`${where} ${name}: ${e}`);
    }
    const declaredQuery = new Set(params.filter((p) => p.in === "query").map((p) => p.name as string));
    for (const q of Object.keys(req.query)) if (!declaredQuery.has(q)) problems.push(`undeclared query parameter ${q}`);
    problems.push(...this.#checkAuth(op.op, req.headers));
    const rb = op.op.requestBody as Json | undefined;
    const bodySchema = ((rb?.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema;
    if (req.body !== undefined) {
      if (!bodySchema) problems.push("a body was sent to an operation that takes none");
      else {
        const ct = String(req.headers["content-type"] ?? "");
        if (!ct.startsWith("application/json")) problems.push(`content-type is "${ct}", not application/json`);
        const converted = convert(bodySchema);
        for (const e of this.validateSchema(converted, req.body)) problems.push(`body${e}`);
        for (const k of this.unknownProperties(converted, req.body))
          problems.push(`body has a field the spec does not define: ${k}`);
      }
    } else if (rb?.required) {
      problems.push("required body missing");
    }
    return { operationId: op.op.operationId as string | undefined, problems };
  }

  #checkAuth(op: Json, headers: CapturedRequest["headers"]): string[] {
    const requirements = (op.security ?? this.doc.security) as Json[];
    const schemes = (this.doc.components as Json).securitySchemes as Json;
    const auth = headers.authorization;
    if (typeof auth !== "string") return ["no Authorization header"];
    const ok = requirements.some((req) =>
      Object.keys(req).every((name) => {
        const s = schemes[name] as Json;
        if (s.type === "http" && s.scheme === "bearer") return /^Bearer \S+$/.test(auth);
        // Qovery's ApiKeyAuth: the Authorization header carrying "Token <token>" (its description).
        if (s.type === "apiKey" && s.in === "header" && String(s.name).toLowerCase() === "authorization") {
          return /^Token \S+$/.test(auth);
        }
        return false;
      }),
    );
    return ok ? [] : ["Authorization header matches none of the spec's security schemes"];
  }

  #deref(schema: unknown): Json {
    let s = schema as Json;
    for (let i = 0; i < 20 && s && typeof s.$ref === "string"; i++) {
      s = this.#schemas[(s.$ref as string).split("/").pop() ?? ""] as Json;
    }
    return s ?? {};
  }

  /** Properties an object schema declares, merged across $ref/allOf/anyOf/oneOf; null = free-form. */
  #props(schema: unknown): Record<string, unknown> | null {
    const s = this.#deref(schema);
    let found = s.properties ? { ...(s.properties as Json) } : null;
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      for (const branch of (s[key] as unknown[] | undefined) ?? []) {
        const p = this.#props(branch);
        if (p) found = { ...(found ?? {}), ...p };
      }
    }
    return found;
  }

  #items(schema: unknown): unknown {
    const s = this.#deref(schema);
    if (s.items) return s.items;
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      for (const branch of (s[key] as unknown[] | undefined) ?? []) {
        const i = this.#items(branch);
        if (i) return i;
      }
    }
    return undefined;
  }

  /**
   * Every field a schema declares, depth first, as its path (`[]` marks array items) and whether its
   * parent requires it; `$ref`/`allOf`/`anyOf`/`oneOf` are merged as unknownProperties merges them.
   */
  fieldPaths(schema: unknown, path: string[] = [], depth = 0): { path: string[]; required: boolean }[] {
    if (depth > 10) return [];
    const items = this.#items(schema);
    if (items) return this.fieldPaths(items, [...path, "[]"], depth + 1);
    const props = this.#props(schema);
    if (!props) return [];
    const required = new Set(this.#required(schema));
    return Object.entries(props).flatMap(([name, sub]) => [
      { path: [...path, name], required: required.has(name) },
      ...this.fieldPaths(sub, [...path, name], depth + 1),
    ]);
  }

  #required(schema: unknown): string[] {
    const s = this.#deref(schema);
    const own = (s.required as string[] | undefined) ?? [];
    const merged = ["allOf", "anyOf", "oneOf"].flatMap((key) =>
      ((s[key] as unknown[] | undefined) ?? []).flatMap((branch) => this.#required(branch)),
    );
    return [...own, ...merged];
  }

  unknownProperties(schema: unknown, data: unknown, path = ""): string[] {
    if (Array.isArray(data)) {
      const items = this.#items(schema);
      return items ? data.flatMap((d, i) => this.unknownProperties(items, d, `${path}[${i}]`)) : [];
    }
    if (!data || typeof data !== "object") return [];
    const props = this.#props(schema);
    if (!props) return [];
    return Object.entries(data as Json).flatMap(([k, v]) =>
      k in props ? this.unknownProperties(props[k], v, `${path}.${k}`) : [`${path}.${k}`],
    );
  }
}
