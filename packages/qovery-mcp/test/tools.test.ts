/** The tool table as a model sees it: names, hints, REST routes (toolsnaps and byte budget: tools-list.test.ts). */
import { describe, expect, it } from "vitest";
import { routes, tools } from "../src/index.js";

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
    const ws = routes.filter((r) => r.openUpstreamSocket).map((r) => [r.tool.name, r.path]);
    expect(ws).toEqual([
      ["get-service-logs", "/v1/service/logs"],
      ["open-container-shell", "/v1/shell/exec"],
    ]);
    for (const t of tools.filter((x) => SESSION_NAMES.includes(x.name))) {
      expect(
        routes.some((r) => r.tool === t),
        t.name,
      ).toBe(false);
    }
  });
});
