/** The tool table as a model sees it: names, hints, REST routes (toolsnaps and byte budget: tools-list.test.ts). */
import { connectInMemory } from "@infra-mcp/core/testing";
import { describe, expect, it } from "vitest";
import { qoveryVendor, routes, tools } from "../src/index.js";

const SEED_NAMES = [
  "clone-container",
  "list-default-container-advanced-settings",
  "list-containers",
  "create-container",
  "list-all-environment-container-statuses",
  "auto-deploy-containers",
  "preview-container-environments",
  "list-all-container-registry-container",
];

describe("tool table", () => {
  it("has exactly the seed's eight MCP names, in order", () => {
    expect(tools.map((t) => t.name)).toEqual(SEED_NAMES);
  });

  it("marks exactly the list/status/default tools read-only and idempotent", () => {
    const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    for (const n of SEED_NAMES) {
      const ro = n.startsWith("list-");
      expect(hints[n]?.readOnlyHint, n).toBe(ro);
      if (ro) expect(hints[n]).toMatchObject({ destructiveHint: false, idempotentHint: true });
    }
    expect(hints["auto-deploy-containers"]).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(hints["create-container"]).toMatchObject({ destructiveHint: false, idempotentHint: false });
  });

  it("every tool has the seed's REST route, with every placeholder mapped to a schema argument", () => {
    for (const t of tools) {
      const rest = routes.filter((r) => r.tool === t);
      expect(rest.length, t.name).toBe(1);
      const route = rest[0];
      expect(route?.path.startsWith("/v1/")).toBe(true);
      const placeholders = [...(route?.path.matchAll(/\{([^}]+)\}/g) ?? [])].map((m) => m[1] as string);
      for (const p of placeholders) {
        const arg = route?.pathArgs?.[p];
        expect(arg, `${t.name} ${p}`).toBeDefined();
        expect(Object.keys(t.inputSchema.shape)).toContain(arg);
      }
      expect(route?.body).toBe(route?.method === "POST" ? "merge" : undefined);
    }
  });

  it("lists Probe and IdRefs once and references them, not inlined per use", async () => {
    const mcp = await connectInMemory(qoveryVendor, { env: {} });
    try {
      const listed = (await mcp.client.listTools()).tools;
      const create = listed.find((t) => t.name === "create-container")?.inputSchema as { definitions?: object };
      expect(Object.keys(create?.definitions ?? {})).toEqual(["Probe", "IdRefs"]);
    } finally {
      await mcp.close();
    }
  });
});
