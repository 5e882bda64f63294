/** parseCli reads every mode flag from the environment too (containers configured by env only); a flag wins. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseCli, sessionTools, type VendorDefinition } from "../src/index.js";
import { connectInMemory } from "../src/testing/index.js";
import { defineTool } from "../src/tools/call.js";

describe("parseCli with env", () => {
  it("defaults without flags or env", () => {
    expect(parseCli([], {})).toMatchObject({ readOnly: false, http: false, rest: false, stateless: false });
    expect(parseCli([], {}).tools).toBeUndefined();
  });

  it("reads MCP_READ_ONLY, MCP_STATELESS, MCP_HTTP, MCP_REST, MCP_TOOLS", () => {
    const env = { MCP_READ_ONLY: "1", MCP_STATELESS: "true", MCP_HTTP: "yes", MCP_REST: "1", MCP_TOOLS: "a, b,,c" };
    expect(parseCli([], env)).toMatchObject({
      readOnly: true,
      stateless: true,
      http: true,
      rest: true,
      tools: ["a", "b", "c"],
    });
  });

  it("0/false/empty env values mean off", () => {
    const env = { MCP_READ_ONLY: "0", MCP_STATELESS: "false", MCP_HTTP: "", MCP_REST: "no", MCP_TOOLS: " " };
    const o = parseCli([], env);
    expect(o).toMatchObject({ readOnly: false, stateless: false, http: false, rest: false });
    expect(o.tools).toBeUndefined();
  });

  it("a flag wins over its env variable", () => {
    const o = parseCli(["--read-only", "--tools", "x", "--http"], {
      MCP_READ_ONLY: "0",
      MCP_TOOLS: "a,b",
      MCP_HTTP: "0",
    });
    expect(o).toMatchObject({ readOnly: true, tools: ["x"], http: true });
  });

  it("an unknown boolean value is a ConfigError naming the variable", () => {
    expect(() => parseCli([], { MCP_STATELESS: "maybe" })).toThrow(ConfigError);
    expect(() => parseCli([], { MCP_STATELESS: "maybe" })).toThrow(/MCP_STATELESS/);
  });
});

describe("stateless instructions", () => {
  const echo = defineTool<unknown, z.ZodObject<{ text: z.ZodString }>>({
    name: "echo",
    title: "Echo",
    description: "Echo text",
    inputSchema: z.object({ text: z.string() }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async (args) => ({ text: args.text }),
  });
  const shell = defineTool<unknown, z.ZodObject<Record<string, never>>>({
    name: "open-shell",
    title: "Open a shell",
    description: "Opens a session",
    inputSchema: z.object({}),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    opensSession: true,
    handler: async () => ({ text: "never called here" }),
  });
  const vendor = (tools: VendorDefinition<unknown>["tools"]): VendorDefinition<unknown> => ({
    name: "fake-mcp",
    version: "0.0.0",
    title: "Fake",
    instructions: "Fake vendor.",
    tools,
    createClient: () => ({}),
    envHelp: "",
  });

  it("says session tools are not offered, and names what was dropped, only when stateless", async () => {
    const v = vendor([echo, shell, ...sessionTools<unknown>()]);
    const stateless = await connectInMemory(v, { stateless: true });
    const stateful = await connectInMemory(v);
    try {
      const text = stateless.client.getInstructions() ?? "";
      expect(text.startsWith("Fake vendor. ")).toBe(true);
      expect(text).toMatch(/stateless, so session tools are not offered/);
      expect(text).toContain("open-shell, session-*");
      const names = (await stateless.client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(["echo"]);
      expect(stateful.client.getInstructions()).toBe("Fake vendor.");
    } finally {
      await stateless.close();
      await stateful.close();
    }
  });

  it("adds nothing when the vendor has no session tools", async () => {
    const c = await connectInMemory(vendor([echo]), { stateless: true });
    try {
      expect(c.client.getInstructions()).toBe("Fake vendor.");
    } finally {
      await c.close();
    }
  });
});

describe("session tools context cost", () => {
  it("each session tool lists in ≤ 900 bytes of tools/list JSON", async () => {
    const c = await connectInMemory(vendor2());
    try {
      const { tools } = await c.client.listTools();
      const session = tools.filter((t) => t.name.startsWith("session-"));
      expect(session).toHaveLength(6);
      for (const t of session) expect(Buffer.byteLength(JSON.stringify(t)), t.name).toBeLessThanOrEqual(900);
    } finally {
      await c.close();
    }
  });
});

function vendor2(): VendorDefinition<unknown> {
  const opener = defineTool<unknown, z.ZodObject<Record<string, never>>>({
    name: "opener",
    title: "Opener",
    description: "Opens a session",
    inputSchema: z.object({}),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    opensSession: true,
    handler: async () => ({ text: "unused" }),
  });
  return {
    name: "fake-mcp",
    version: "0.0.0",
    title: "Fake",
    tools: [opener, ...sessionTools<unknown>()],
    createClient: () => ({}),
    envHelp: "",
  };
}
