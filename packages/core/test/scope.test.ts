import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, InputError } from "../src/base/errors.js";
import { SessionRegistry } from "../src/streams/sessions.js";
import { defineTool, invokeTool, route } from "../src/tools/call.js";
import { scopeRoutes, scopeTools } from "../src/tools/scope.js";
import { sessionTools } from "../src/tools/session-tools.js";

/** A registry of clients, one per name, like incus-mcp's remotes. */
class Registry {
  readonly picked: (string | undefined)[] = [];
  get(name?: string): { name: string } {
    this.picked.push(name);
    if (name === "bad") throw new InputError("remote", 'unknown remote "bad"; known: a, b');
    return { name: name ?? "a" };
  }
}

const whoami = defineTool<{ name: string }, z.ZodObject<{ x: z.ZodNumber }>>({
  name: "whoami",
  title: "Who am I",
  description: "Names the client that serves the call.",
  inputSchema: z.object({ x: z.number() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler(args, ctx) {
    return { text: `${ctx.client.name} ${args.x}` };
  },
});

const scope = {
  args: { remote: z.string().optional() },
  select: (root: Registry, args: { remote?: string | undefined }) => root.get(args.remote),
};

function run(
  tool: ReturnType<typeof scopeTools<Registry, { name: string }, typeof scope.args>>[number],
  args: unknown,
  root: Registry,
) {
  return invokeTool(tool, tool.inputSchema.parse(args), {
    getClient: () => root,
    sessions: new SessionRegistry(),
    signal: new AbortController().signal,
  });
}

describe("scopeTools: shared arguments that pick the call's client", () => {
  it("adds the arguments to every schema and hands the handler the client they select", async () => {
    const [tool] = scopeTools([whoami], scope);
    expect(Object.keys(tool!.inputSchema.shape)).toEqual(["x", "remote"]);
    const root = new Registry();
    expect((await run(tool!, { x: 1, remote: "b" }, root)).text).toBe("b 1");
    expect((await run(tool!, { x: 2 }, root)).text).toBe("a 2");
    expect(root.picked).toEqual(["b", undefined]);
  });

  it("an unknown choice fails the call with the selector's error", async () => {
    const [tool] = scopeTools([whoami], scope);
    await expect(run(tool!, { x: 1, remote: "bad" }, new Registry())).rejects.toThrow(
      /unknown remote "bad"; known: a, b/,
    );
  });

  it("websocket route hooks get the scoped client too", async () => {
    const scoped = scopeTools([whoami], scope);
    const routes = [
      route("GET /v1/whoami", whoami, { openUpstreamSocket: async (_args, ctx) => ctx.client.name as never }),
    ];
    const hook = scopeRoutes(routes, scoped, scope)[0]?.openUpstreamSocket;
    const root = new Registry();
    const ctx = {
      client: root,
      sessions: new SessionRegistry(),
      signal: new AbortController().signal,
      progress: async () => {},
    };
    expect(await hook?.({ x: 1, remote: "b" } as never, ctx)).toBe("b");
  });

  it("session tools keep their own arguments; a tool declaring a shared one is refused", () => {
    const scoped = scopeTools([...sessionTools<{ name: string }>()], scope);
    for (const t of scoped) expect(Object.keys(t.inputSchema.shape)).not.toContain("remote");
    const clash = defineTool<{ name: string }, z.ZodObject<{ remote: z.ZodString }>>({
      ...whoami,
      name: "clash",
      inputSchema: z.object({ remote: z.string() }),
    } as never);
    expect(() => scopeTools([clash], scope)).toThrow(ConfigError);
    expect(() => scopeTools([clash], scope)).toThrow(/clash declares remote/);
  });
});
