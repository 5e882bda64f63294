/**
 * Suite 1 — bad input, every tool of all three servers, through a real MCP client.
 *
 * Cases are generated from each tool's JSON schema as tools/list publishes it, so a new tool is
 * covered without touching this file. The vendor's own zod schema is the oracle that says whether a
 * generated input is invalid; invalid input must come back as an isError result (or an MCP
 * invalid-params error) naming the field, and must never reach the upstream (a loopback recorder).
 * Inputs the schema accepts (e.g. "../" in a free-form container name) may reach the upstream, but
 * only inside one encoded path segment: no dot-segment, no injected query parameter, no extra field.
 */
import { type ConnectedClient, connectInMemory, textOf } from "@infra-mcp/core/testing";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  baseline,
  findSecret,
  type ObjectSchema,
  type PropSchema,
  Recorder,
  schemaTypes,
  VENDORS,
  type VendorKey,
  vendorEnv,
  within,
} from "./helpers.js";

type Json = unknown;

const MIB = 1024 * 1024;
const INJECT = "injected";
const EXTRA = "__extra_field_zz";
const PATHISH = [
  "..",
  ".",
  "../",
  "../../etc/passwd",
  "%2e%2e",
  "%2E%2E%2F",
  "..%2f..%2f",
  `?${INJECT}=1`,
  `a?${INJECT}=1&b=2`,
  "a/b",
  "a#frag",
  "a\u0000b",
  " ",
];
const UNICODE = ["\u202etxt.exe", "ﬁ", "\ud800", "😀".repeat(50), "Ω≈ç√", "\u0000", "\r\n\r\nX-Injected: 1"];

function deep(depth: number): Json {
  let v: Json = "leaf";
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

/** One value per JSON kind, each tagged with the kind so we can skip the accepted ones. */
const KINDS: [string, Json][] = [
  ["string", "not-a-number"],
  ["number", 3.5],
  ["integer", 7],
  ["boolean", true],
  ["null", null],
  ["array", ["x", 1]],
  ["object", { nested: { x: 1 } }],
  ["object", deep(400)],
];

/** The catalogue of suspicious values for one field, derived from its schema. */
function suspiciousValues(p: PropSchema): Json[] {
  const ts = schemaTypes(p);
  const out: Json[] = [];
  for (const [kind, v] of KINDS) {
    const accepted = ts.includes(kind) || (kind === "integer" && ts.includes("number"));
    if (!accepted) out.push(v);
  }
  if (ts.includes("string")) {
    out.push("", "x".repeat(MIB), "é".repeat(MIB / 2), ...PATHISH, ...UNICODE);
    if (p.maxLength !== undefined) out.push("y".repeat(p.maxLength + 1));
  }
  if (ts.includes("integer") || ts.includes("number")) {
    out.push(-1, -(2 ** 31), -1e308, 1e308, 2 ** 53 + 2, 2 ** 64, 0.5, Number.NaN, Number.POSITIVE_INFINITY, -0);
    if (p.minimum !== undefined) out.push(p.minimum - 1);
    if (p.maximum !== undefined) out.push(p.maximum + 1);
  }
  if (ts.includes("array")) {
    out.push(
      [],
      [null],
      [1, {}],
      Array.from({ length: (p.maxItems ?? 1000) + 1 }, () => "a"),
      ["x".repeat(MIB)],
    );
  }
  if (ts.includes("object")) out.push({ k: 1 }, { k: null }, { k: deep(400) }, { "../k": "v" });
  return out;
}

interface Case {
  args: Record<string, Json>;
  /** The field this case is about (named in the error when invalid). */
  field: string;
  what: string;
}

/** Deterministic cases: every field × every suspicious value, every missing required field, extras. */
function catalogue(schema: ObjectSchema): Case[] {
  const base = baseline(schema);
  const cases: Case[] = [];
  for (const [field, p] of Object.entries(schema.properties ?? {})) {
    for (const v of suspiciousValues(p)) {
      cases.push({ args: { ...base, [field]: v }, field, what: `${field}=${show(v)}` });
    }
  }
  for (const field of schema.required ?? []) {
    const { [field]: _, ...rest } = base;
    cases.push({ args: rest, field, what: `missing ${field}` });
    cases.push({ args: { ...rest, [EXTRA]: "x" }, field, what: `missing ${field} + extra field` });
  }
  cases.push({ args: { ...base, [EXTRA]: deep(50) }, field: EXTRA, what: "extra field" });
  return cases;
}

/** Random cases: a random field gets a random (often invalid) value; sometimes several fields at once. */
function arbitraryCase(schema: ObjectSchema): fc.Arbitrary<Case> {
  const fields = Object.entries(schema.properties ?? {});
  const base = baseline(schema);
  const anyJson = fc.jsonValue({ maxDepth: 6 });
  const strings = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.constantFrom(...PATHISH, ...UNICODE),
    fc.tuple(fc.constantFrom(...PATHISH), fc.string({ maxLength: 20 })).map(([a, b]) => a + b),
  );
  const numbers = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.constantFrom(-1, -1e308, 1e308, 2 ** 64, Number.MAX_SAFE_INTEGER + 2),
    fc.bigInt().map((b) => Number(b)),
  );
  const value = fc.oneof(
    { arbitrary: anyJson, weight: 4 },
    { arbitrary: strings, weight: 4 },
    { arbitrary: numbers, weight: 4 },
    { arbitrary: fc.constant(deep(300)), weight: 1 },
    { arbitrary: fc.constant("z".repeat(MIB)), weight: 1 },
  );
  if (fields.length === 0) {
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), value, { maxKeys: 3 }).map((extra) => ({
      args: { ...extra },
      field: Object.keys(extra)[0] ?? EXTRA,
      what: "random extra fields on a tool without parameters",
    }));
  }
  return fc
    .tuple(
      fc.constantFrom(...fields),
      value,
      fc.boolean(),
      fc.option(fc.tuple(fc.constantFrom(...fields), value), { nil: undefined }),
    )
    .map(([[field], v, extra, second]) => {
      const args: Record<string, Json> = { ...base, [field]: v };
      if (second && second[0][0] !== field) args[second[0][0]] = second[1];
      if (extra) args[EXTRA] = v;
      return { args, field, what: `${field}=${show(v)}${second ? ` & ${second[0][0]}` : ""}` };
    });
}

function show(v: Json): string {
  if (typeof v === "string") return v.length > 40 ? `string(${v.length})` : JSON.stringify(v);
  if (typeof v === "number") return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${Array.isArray(v) ? "array" : typeof v}(${s.length} chars)` : s;
}

interface Outcome {
  isError: boolean;
  text: string;
  protocolError: boolean;
}

async function run(c: ConnectedClient, tool: string, args: Record<string, Json>): Promise<Outcome> {
  try {
    const r = await within(10_000, `${tool}`, c.call(tool, args));
    return { isError: r.isError === true, text: textOf(r), protocolError: false };
  } catch (error) {
    if (error instanceof McpError && error.code === -32602) {
      return { isError: true, text: error.message, protocolError: true };
    }
    throw error;
  }
}

/** The path of the upstream request has no dot-segment and carries no injected query parameter. */
function assertSafeUpstream(rec: Recorder, what: string): void {
  for (const r of rec.requests) {
    const url = new URL(r.url, "http://x");
    const rawSegments = r.url.split("?")[0]!.split("/");
    expect(rawSegments, `${what}: dot-segment upstream ${r.url.slice(0, 200)}`).not.toContain("..");
    expect(url.searchParams.has(INJECT), `${what}: injected query reached upstream ${r.url.slice(0, 200)}`).toBe(false);
    expect(r.url.includes(EXTRA) || r.body.includes(EXTRA), `${what}: extra field forwarded upstream`).toBe(false);
  }
}

const totals = { invalid: 0, validAccepted: 0, upstreamFromValid: 0, protocolErrors: 0 };
const perVendor: Record<string, { tools: number; cases: number; invalid: number }> = {};
const slow: string[] = [];
let unhandled = 0;
const onUnhandled = () => {
  unhandled++;
};

describe.each(["qovery", "portainer", "incus"] as VendorKey[])("bad input: %s", (key) => {
  const rec = new Recorder();
  let c: ConnectedClient;
  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    await rec.listen();
    c = await connectInMemory(VENDORS[key], { toolsets: ["all"], env: vendorEnv(key, rec.url) });
  });
  afterAll(async () => {
    await c?.close();
    await rec.close();
    process.off("unhandledRejection", onUnhandled);
  });

  it("rejects every invalid case naming the field, with zero upstream requests", async () => {
    const started = performance.now();
    const { tools } = await c.client.listTools();
    const table = VENDORS[key].tools;
    // Every tool the vendor defines is listed, so every tool gets fuzzed.
    expect(tools.map((t) => t.name).sort()).toEqual(table.map((t) => t.name).sort());
    const stats = { tools: tools.length, cases: 0, invalid: 0 };
    perVendor[key] = stats;

    const check = async (tool: string, k: Case) => {
      const zod = table.find((t) => t.name === tool)!.inputSchema;
      const parsed = zod.safeParse(k.args);
      const valid = parsed.success;
      // Fields the schema rejects (top-level names); the error must name at least one of them.
      const badFields: string[] = parsed.success
        ? []
        : [...new Set<string>(parsed.error.issues.map((i: { path: PropertyKey[] }) => String(i.path[0] ?? k.field)))];
      rec.reset();
      const t0 = performance.now();
      const out = await run(c, tool, k.args);
      const ms = performance.now() - t0;
      if (ms > 500)
        slow.push(
          `${key}/${tool} ${k.what} ${valid ? "valid" : "invalid"}: ${Math.round(ms)} ms: ${out.text.slice(0, 120)}`,
        );
      stats.cases++;
      const label = `${key}/${tool}: ${k.what}`;
      expect(out.text, `${label}: unexpected exception`).not.toMatch(/Internal error/);
      expect(findSecret(out.text), `${label}: secret in result`).toBeUndefined();
      if (!valid) {
        stats.invalid++;
        totals.invalid++;
        if (out.protocolError) totals.protocolErrors++;
        expect(out.isError, `${label}: accepted invalid input`).toBe(true);
        expect(
          badFields.some((f) => out.text.includes(f)),
          `${label}: error names none of ${badFields.join(", ")}: ${out.text.slice(0, 300)}`,
        ).toBe(true);
        expect(rec.requests.length, `${label}: invalid input reached upstream`).toBe(0);
      } else {
        totals.validAccepted++;
        if (rec.requests.length) totals.upstreamFromValid++;
        assertSafeUpstream(rec, label);
      }
    };

    for (const t of tools) {
      const schema = t.inputSchema as ObjectSchema;
      for (const k of catalogue(schema)) await check(t.name, k);
      await fc.assert(
        fc.asyncProperty(arbitraryCase(schema), async (k) => {
          await check(t.name, k);
        }),
        { numRuns: 100, seed: 8 },
      );
    }
    // Still serving.
    const after = await c.client.listTools();
    expect(after.tools.length).toBe(tools.length);
    expect(unhandled).toBe(0);
    process.stderr.write(
      `[fuzz] ${key}: ${stats.tools} tools, ${stats.cases} cases (${stats.invalid} invalid) in ${Math.round(performance.now() - started)} ms\n`,
    );
    // Hundreds of calls: 15-30 s on an idle machine, past 60 s at a load average of 50. The bound
    // only catches a hang.
  }, 240_000);
});

describe("bad input: totals", () => {
  it("ran a meaningful number of cases", () => {
    const cases = Object.values(perVendor).reduce((n, v) => n + v.cases, 0);
    process.stderr.write(`[fuzz] totals: ${cases} cases, ${JSON.stringify(totals)}\n`);
    if (slow.length) process.stderr.write(`[fuzz] slow cases:\n  ${slow.join("\n  ")}\n`);
    expect(Object.keys(perVendor)).toHaveLength(3);
    expect(totals.invalid).toBeGreaterThan(1000);
  });
});
