import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";

// The bins' build marks the SDK's protocol schemas as free of side effects (tsup.shared.ts,
// pureSdkSchemas), so the bundle keeps, and a start builds, only those something uses. What must
// hold: every schema is still the same schema, and one nobody imports is gone from a bundle.
// The build file is loaded by path: it is the repository's, outside this package's sources.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
type Shared = {
  markSchemasPure(source: string): string;
  pureSdkSchemas(): unknown;
};
const shared = (await import(pathToFileURL(join(ROOT, "tsup.shared.ts")).href)) as Shared;

// The ES module build, the one the bins' bundle takes.
const TYPES = fileURLToPath(import.meta.resolve("@modelcontextprotocol/sdk/types.js"));
const work = mkdtempSync(join(tmpdir(), "bundle-schemas-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the SDK's schemas in the bins' bundle", () => {
  it("the marked types module exports the same values, every schema the same JSON Schema", async () => {
    const source = readFileSync(TYPES, "utf8");
    const marked = shared.markSchemasPure(source);
    const wrapped = marked.split("/* @__PURE__ */ (() => ").length - 1;
    // ~170 schemas are built by a call at the top level; constants and guards are left alone.
    expect(wrapped).toBeGreaterThan(150);
    expect(marked).toContain("export const LATEST_PROTOCOL_VERSION = '2025-11-25';");
    // Run the marked text as a module of its own, with zod resolved as the SDK resolves it.
    const zodUrl = pathToFileURL(createRequire(TYPES).resolve("zod/v4")).href;
    const file = join(work, "types.mjs");
    writeFileSync(
      file,
      marked.replace(/from 'zod\/v4'/, `from ${JSON.stringify(zodUrl)}`).replace(/^\/\/# sourceMappingURL=.*$/m, ""),
    );
    const original = (await import(pathToFileURL(TYPES).href)) as Record<string, unknown>;
    const copy = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    expect(Object.keys(copy).sort()).toEqual(Object.keys(original).sort());
    let schemas = 0;
    for (const [name, value] of Object.entries(original)) {
      if (!(value instanceof z.ZodType)) {
        if (typeof value !== "function") expect(copy[name], name).toEqual(value);
        continue;
      }
      schemas++;
      const mine = copy[name] as z.ZodType;
      expect(mine, name).toBeInstanceOf(z.ZodType);
      expect(z.toJSONSchema(mine, { unrepresentable: "any", io: "input" }), name).toEqual(
        z.toJSONSchema(value, { unrepresentable: "any", io: "input" }),
      );
    }
    expect(schemas).toBeGreaterThan(150);
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    };
    expect((copy.InitializeRequestSchema as z.ZodType).parse(init)).toEqual(
      (original.InitializeRequestSchema as z.ZodType).parse(init),
    );
  });

  it("a bundle that imports one schema leaves out the ones it does not use", async () => {
    const { build } = (await import("tsup")) as typeof import("tsup");
    const entry = join(work, "entry.ts");
    writeFileSync(
      entry,
      [
        `import { InitializeRequestSchema } from "@modelcontextprotocol/sdk/types.js";`,
        `export const ok = InitializeRequestSchema.safeParse({ method: "initialize", params: { protocolVersion: "x", capabilities: {}, clientInfo: { name: "n", version: "1" } } }).success;`,
      ].join("\n"),
    );
    const bundle = async (plugins: unknown[], out: string) => {
      await build({
        entry: { [out]: entry },
        outDir: work,
        format: ["esm"],
        platform: "node",
        target: "node22",
        bundle: true,
        noExternal: [/.*/],
        splitting: false,
        sourcemap: false,
        dts: false,
        silent: true,
        config: false,
        esbuildPlugins: plugins as never,
        // Resolve the SDK from this package, where the entry's import would be found.
        esbuildOptions: (options) => {
          options.nodePaths = [join(ROOT, "packages", "core", "node_modules")];
        },
      });
      const path = join(work, `${out}.js`);
      return {
        text: readFileSync(path, "utf8"),
        run: () => import(pathToFileURL(path).href) as Promise<{ ok: boolean }>,
      };
    };
    const plain = await bundle([], "plain");
    const pure = await bundle([shared.pureSdkSchemas()], "pure");
    // Only RootsListChangedNotificationSchema names this method; InitializeRequestSchema needs it not.
    expect(plain.text).toContain("notifications/roots/list_changed");
    expect(pure.text).not.toContain("notifications/roots/list_changed");
    expect(pure.text.length).toBeLessThan(plain.text.length);
    expect((await pure.run()).ok).toBe(true);
  }, 60_000);
});
