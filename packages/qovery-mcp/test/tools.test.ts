/** The tool table as a model sees it: names, hints, REST routes, and the context cost of each tool. */
import { connectInMemory } from "@infra-mcp/core/testing";
import { describe, expect, it } from "vitest";
import { qoveryVendor, tools } from "../src/index.js";

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

/** Beyond the seed: container lifecycle, deployments, logs (REST and the websocket gateway), shell. */
const LIFECYCLE_NAMES = [
  "get-container",
  "get-container-status",
  "list-container-deployments",
  "get-container-logs",
  "deploy-container",
  "redeploy-container",
  "restart-container",
  "stop-container",
  "get-service-logs",
  "open-container-shell",
];
/** Core's session tools, minus session-signal (Qovery's gateway carries no signals). */
const SESSION_NAMES = ["session-read", "session-write", "session-resize", "session-close", "session-list"];

describe("tool table", () => {
  it("has the seed's eight MCP names first, in order, then the lifecycle tools and the session tools", () => {
    expect(tools.slice(0, 8).map((t) => t.name)).toEqual(SEED_NAMES);
    expect(tools.map((t) => t.name)).toEqual([...SEED_NAMES, ...LIFECYCLE_NAMES, ...SESSION_NAMES]);
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
    for (const t of tools.filter((x) => !SESSION_NAMES.includes(x.name))) {
      expect(t.rest?.length, t.name).toBe(1);
      const route = t.rest?.[0];
      expect(route?.path.startsWith("/v1/")).toBe(true);
      const placeholders = [...(route?.path.matchAll(/\{([^}]+)\}/g) ?? [])].map((m) => m[1] as string);
      for (const p of placeholders) {
        const arg = route?.pathArgs?.[p];
        expect(arg, `${t.name} ${p}`).toBeDefined();
        expect(Object.keys(t.inputSchema.shape)).toContain(arg);
      }
      expect(route?.body).toBe(route?.method === "POST" ? "merge" : undefined);
    }
    const ws = tools.filter((t) => t.rest?.some((r) => r.websocket)).map((t) => [t.name, t.rest?.[0]?.path]);
    expect(ws).toEqual([
      ["get-service-logs", "/v1/service/logs"],
      ["open-container-shell", "/v1/shell/exec"],
    ]);
    for (const t of tools.filter((x) => SESSION_NAMES.includes(x.name))) expect(t.rest, t.name).toBeUndefined();
  });

  it("tools/list cost: ≤ 900 bytes per tool on average; ≤ 900 each except create-container and open-container-shell", async () => {
    const mcp = await connectInMemory(qoveryVendor, { env: {}, toolsets: ["all"] });
    try {
      const listed = (await mcp.client.listTools()).tools;
      const sizes = Object.fromEntries(listed.map((t) => [t.name, Buffer.byteLength(JSON.stringify(t))]));
      expect(Object.keys(sizes)).toHaveLength(23);
      const ceiling: Record<string, number> = { "create-container": 5400, "open-container-shell": 1100 };
      for (const [name, size] of Object.entries(sizes)) {
        expect(size, name).toBeLessThanOrEqual(ceiling[name] ?? 900);
      }
      const total = Object.values(sizes).reduce((a, b) => a + b, 0);
      expect(total / listed.length).toBeLessThanOrEqual(900);
      // Probe and IdRefs are listed once and referenced, not inlined per use.
      const create = listed.find((t) => t.name === "create-container")?.inputSchema as { definitions?: object };
      expect(Object.keys(create?.definitions ?? {})).toEqual(["Probe", "IdRefs"]);
      // Toolsnap: any schema/description/hint change shows up as a reviewed snapshot diff.
      expect(listed).toMatchSnapshot();
    } finally {
      await mcp.close();
    }
  });
});
