import { connectInMemory } from "@infra-mcp/core/testing";
import { describe, expect, it } from "vitest";
import { qoveryVendor } from "../src/index.js";
import { IDS } from "./fixtures.js";
import { FAKE_TOKEN } from "./servers.js";

// Issue 25: qovery's runbook prompts (no upstream needed to list and fill them in).
describe("qovery prompts (issue 25)", () => {
  it("lists diagnose-deployment and run-command-safely and fills them in", async () => {
    const c = await connectInMemory(qoveryVendor, { env: { QOVERY_API_KEY: FAKE_TOKEN } });
    try {
      const { prompts } = await c.client.listPrompts();
      expect(prompts.map((p) => p.name).sort()).toEqual(["diagnose-deployment", "run-command-safely"]);
      const got = await c.client.getPrompt({ name: "diagnose-deployment", arguments: { containerId: IDS.container } });
      const text = (got.messages[0]?.content as { text?: string } | undefined)?.text;
      expect(text).toContain(`get-container-status {containerId: "${IDS.container}"}`);
      expect(text).toContain("list-container-deployments");
      await expect(c.client.getPrompt({ name: "diagnose-deployment", arguments: {} })).rejects.toThrow(/containerId/);
    } finally {
      await c.close();
    }
  });
});
