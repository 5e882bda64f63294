import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../base/credentials.js";
import type { VendorDefinition } from "../tools/vendor.js";
import { type ConnectedClient, connectInMemory } from "./index.js";

/** A tool allowed above the budget, with the measured cap and why it needs the bytes. */
export interface OverBudget {
  max: number;
  why: string;
}

export interface ToolListCheck {
  // biome-ignore lint/suspicious/noExplicitAny: any vendor's client type
  vendor: VendorDefinition<any>;
  /** Environment for the in-memory server (listing tools builds no client, so no secret is needed). */
  env?: Env;
  /** The vendor's __toolsnaps__ folder: one <tool-name>.json per listed tool, reviewed like code. */
  snapshotDir: URL;
  /** Bytes of tools/list JSON per tool (the context a model pays for it). */
  budget: number;
  over?: Record<string, OverBudget>;
  /** Also hold the mean bytes per tool to this. */
  averageBudget?: number;
}

/**
 * The tools/list check every vendor runs (one call in its test/tools-list.test.ts):
 * - each listed tool (name, title, description, schemas, hints) equals its toolsnap file, so a
 *   schema change is always a reviewed diff (`vitest -u` rewrites the files);
 * - no toolsnap is left for a tool that is no longer listed;
 * - each tool stays within the byte budget, or within its measured cap, and every cap is still needed.
 */
export function checkToolList(check: ToolListCheck): void {
  const dir = fileURLToPath(check.snapshotDir);
  const over = check.over ?? {};

  describe(`${check.vendor.name} tools/list`, () => {
    let conn: ConnectedClient;
    let listed: Tool[];
    beforeAll(async () => {
      // Every toolset: the check covers the tools that are off by default too.
      conn = await connectInMemory(check.vendor, { env: check.env ?? {}, toolsets: ["all"] });
      listed = (await conn.client.listTools()).tools;
    });
    afterAll(async () => {
      await conn.close();
    });

    it("each tool's listing matches its toolsnap (__toolsnaps__/<tool>.json)", async () => {
      expect(listed.length).toBeGreaterThan(0);
      for (const tool of listed) {
        await expect(`${JSON.stringify(tool, null, 2)}\n`).toMatchFileSnapshot(`${dir}/${tool.name}.json`);
      }
    });

    it("keeps no toolsnap of a tool that is not listed", () => {
      const names = new Set(listed.map((t) => t.name));
      const stale = readdirSync(dir).filter((f) => f.endsWith(".json") && !names.has(f.slice(0, -5)));
      expect(stale).toEqual([]);
    });

    it(`keeps each tool within ${check.budget} bytes, or its measured cap`, () => {
      const sizes = listed.map((t) => [t.name, Buffer.byteLength(JSON.stringify(t))] as const);
      expect(sizes.filter(([name, size]) => size > (over[name]?.max ?? check.budget))).toEqual([]);
      if (check.averageBudget !== undefined) {
        const total = sizes.reduce((sum, [, size]) => sum + size, 0);
        expect(total / sizes.length).toBeLessThanOrEqual(check.averageBudget);
      }
    });

    it("still needs every cap above the budget (tighten it when a tool shrinks)", () => {
      for (const [name, { max }] of Object.entries(over)) {
        const tool = listed.find((t) => t.name === name);
        expect(tool, name).toBeDefined();
        const size = Buffer.byteLength(JSON.stringify(tool));
        expect(size, name).toBeGreaterThan(check.budget);
        expect(size, name).toBeLessThanOrEqual(max);
      }
    });
  });
}
