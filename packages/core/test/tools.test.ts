import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { readCredential } from "../src/base/credentials.js";
import { ConfigError, UpstreamHttpError } from "../src/base/errors.js";
import { type ConnectedClient, connectInMemory, sessionReadOf, textOf } from "../src/testing/index.js";
import { type AnyTool, defineTool, selectTools } from "../src/tools/call.js";
import { sessionTools } from "../src/tools/session-tools.js";
import type { VendorDefinition } from "../src/tools/vendor.js";

interface FakeClient {
  secret: string;
}

const echo = defineTool<FakeClient, z.ZodObject<{ text: z.ZodString; times: z.ZodDefault<z.ZodNumber> }>>({
  name: "echo",
  title: "Echo",
  description: "Echo text",
  inputSchema: z.object({ text: z.string().min(1), times: z.number().int().min(1).max(3).default(1) }),
  outputSchema: z.object({ echoed: z.string() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, ctx) {
    await ctx.progress(1, 2, "half way");
    return { text: args.text.repeat(args.times), structured: { echoed: args.text.repeat(args.times) } };
  },
});

const leaky = defineTool<FakeClient, z.ZodObject<{}>>({
  name: "leaky",
  title: "Leaky",
  description: "Fails with an upstream error that echoes the credential",
  inputSchema: z.object({}),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async handler(_args, ctx) {
    throw new UpstreamHttpError("POST", "/x", 401, `token ${ctx.client.secret} rejected`);
  },
});

const opener = defineTool<FakeClient, z.ZodObject<{}>>({
  name: "open-thing",
  title: "Open",
  description: "Opens a session that echoes what is written",
  inputSchema: z.object({}),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  opensSession: true,
  async handler(_args, ctx) {
    const s = ctx.sessions.add("echo", "loop", {
      write: async (d) => s.push(d),
      close: async () => {},
    });
    return { text: s.id, structured: { sessionId: s.id } };
  },
});

function vendor(tools: AnyTool<FakeClient>[], env: Record<string, string> = {}): VendorDefinition<FakeClient> {
  return {
    name: "fake-mcp",
    version: "1.2.3",
    title: "Fake",
    tools,
    envHelp: "",
    createClient: (e) => ({
      secret: readCredential({ env: ["FAKE_KEY"], required: true, description: "Fake key" }, e)!,
    }),
    ...env,
  };
}

let conn: ConnectedClient | undefined;
afterEach(async () => {
  await conn?.close();
  conn = undefined;
});

describe("tool registration", () => {
  it("lists every hint and returns text plus structuredContent", async () => {
    conn = await connectInMemory(vendor([echo]), { env: { FAKE_KEY: "k-123456" } });
    const { tools } = await conn.client.listTools();
    expect(tools[0]).toMatchObject({
      name: "echo",
      title: "Echo",
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    });
    expect(tools[0]?.outputSchema).toBeDefined();
    const r = await conn.call("echo", { text: "ab", times: 2 });
    expect(textOf(r)).toBe("abab");
    expect(r.structuredContent).toEqual({ echoed: "abab" });
    expect(r.isError).toBeFalsy();
  });

  it("sends progress notifications when the client asks for them", async () => {
    conn = await connectInMemory(vendor([echo]), { env: { FAKE_KEY: "k-123456" } });
    const seen: unknown[] = [];
    await conn.client.callTool({ name: "echo", arguments: { text: "x" } }, undefined, {
      onprogress: (p) => seen.push(p),
    });
    expect(seen).toEqual([{ progress: 1, total: 2, message: "half way" }]);
  });

  it("refuses bad input naming the field, and keeps serving", async () => {
    conn = await connectInMemory(vendor([echo]), { env: { FAKE_KEY: "k-123456" } });
    const r = await conn.call("echo", { text: 5 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/text/);
    const again = await conn.call("echo", { text: "ok" });
    expect(textOf(again)).toBe("ok");
  });

  it("turns upstream failures into isError results with the credential redacted", async () => {
    const secret = "fake-secret-0123456789";
    conn = await connectInMemory(vendor([leaky]), { env: { FAKE_KEY: secret } });
    const r = await conn.call("leaky");
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("HTTP 401");
    expect(JSON.stringify(r)).not.toContain(secret);
  });

  it("answers every call with the configuration error when a credential is missing", async () => {
    conn = await connectInMemory(vendor([leaky]), { env: {} });
    expect((await conn.client.listTools()).tools).toHaveLength(1);
    const failed = await conn.call("leaky");
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toBe("Fake key is not set: set FAKE_KEY.");
  });

  it("runs a session through the generic session tools", async () => {
    conn = await connectInMemory(vendor([opener, ...sessionTools<FakeClient>()]), { env: { FAKE_KEY: "k-123456" } });
    const opened = await conn.call("open-thing");
    const sessionId = (opened.structuredContent as { sessionId: string }).sessionId;
    await conn.call("session-write", { sessionId, data: "one\n" });
    await conn.call("session-write", { sessionId, data: "two\n" });
    const first = await conn.call("session-read", { sessionId, offset: 0, maxBytes: 4 });
    expect(sessionReadOf(first)).toMatchObject({ text: "one\n", nextOffset: 4 });
    const second = await conn.call("session-read", { sessionId, offset: 4 });
    expect(sessionReadOf(second)).toMatchObject({ text: "two\n", nextOffset: 8 });
    // The output is in the text, once, after the status line; structuredContent has no copy of it.
    expect(textOf(second)).toBe(`session ${sessionId} open; bytes 4-8\ntwo\n`);
    expect(second.structuredContent).toEqual({
      sessionId,
      encoding: "utf8",
      offset: 4,
      nextOffset: 8,
      missedBytes: 0,
      state: "open",
    });
    const resize = await conn.call("session-resize", { sessionId, cols: 80, rows: 24 });
    expect(resize.isError).toBe(true);
    expect(textOf(resize)).toMatch(/no terminal/);
    await conn.call("session-close", { sessionId });
    const gone = await conn.call("session-read", { sessionId });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toMatch(/closed or expired/);
  });
});

describe("selectTools", () => {
  const all = [echo, leaky, opener, ...sessionTools<FakeClient>()] as AnyTool<FakeClient>[];
  it("--read-only keeps only readOnlyHint tools, and drops session tools when nothing opens a session", () => {
    expect(selectTools(all, { readOnly: true }).map((t) => t.name)).toEqual(["echo"]);
  });
  it("--tools is an allow-list and unknown names are a config error", () => {
    expect(selectTools(all, { allow: ["leaky"] }).map((t) => t.name)).toEqual(["leaky"]);
    expect(() => selectTools(all, { allow: ["nope"] })).toThrow(ConfigError);
  });
  it("stateless mode offers no session tools", () => {
    expect(selectTools(all, { stateless: true }).map((t) => t.name)).toEqual(["echo", "leaky"]);
  });
});

describe("readCredential", () => {
  it("names the variable, its aliases and the _FILE form when missing", () => {
    expect(() =>
      readCredential(
        { env: ["INCUS_TOKEN", "INCUS_API_KEY"], file: true, required: true, description: "Incus token" },
        {},
      ),
    ).toThrow(
      "Incus token is not set: set INCUS_TOKEN (or INCUS_API_KEY), or INCUS_TOKEN_FILE with a path to a file holding it.",
    );
  });
  it("accepts an alias", () => {
    expect(readCredential({ env: ["A_KEY", "B_KEY"], description: "k" }, { B_KEY: " v-1234567 " })).toBe("v-1234567");
  });
});
