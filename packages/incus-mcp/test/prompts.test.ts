import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type connect, createOwnInstance, gate, removeOwnInstance } from "./helpers.js";

// Issue 25: incus prompts, with the instance argument completing from the real daemon.
const NAME = `safer-pr-${process.pid}-${Date.now().toString(36)}`;

describe.skipIf(gate.skip)("incus prompts (issue 25)", () => {
  let mcp: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    mcp = await createOwnInstance(NAME);
  }, 60_000);
  afterAll(() => removeOwnInstance(NAME, mcp), 60_000);

  it("lists diagnose-instance and run-command-safely, filled in with the arguments", async () => {
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(["diagnose-instance", "run-command-safely"]);
    const got = await mcp.client.getPrompt({
      name: "diagnose-instance",
      arguments: { instance: NAME, project: "default" },
    });
    const text = (got.messages[0]?.content as { text?: string } | undefined)?.text;
    expect(text).toContain(`get-instance-state {instance: "${NAME}", project: "default"}`);
    expect(text).toContain("get-operations");
  });

  it("completes instance names from the daemon, filtered by what was typed", async () => {
    const ref = { type: "ref/prompt" as const, name: "run-command-safely" };
    const some = await mcp.client.complete({ ref, argument: { name: "instance", value: "safer-pr-" } });
    expect(some.completion.values).toContain(NAME);
    expect(some.completion.values.every((v) => v.startsWith("safer-pr-"))).toBe(true);
    const none = await mcp.client.complete({ ref, argument: { name: "instance", value: "no-such-prefix-" } });
    expect(none.completion.values).toEqual([]);
  });
});
