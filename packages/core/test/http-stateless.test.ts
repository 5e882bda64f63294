import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK, waitFor } from "../src/testing/index.js";
import { type AnyTool, defineTool } from "../src/tools/call.js";
import { createVendorServer, type VendorDefinition } from "../src/tools/vendor.js";
import { connectHttp } from "./helpers.js";

/**
 * What a stateless request costs and answers: one JSON document unless the client asked for
 * progress, and the end of the per-request server cancelling only a call still running.
 */
const signals: AbortSignal[] = [];
let released: (() => void) | undefined;

const steps = defineTool<null, z.ZodObject<{ n: z.ZodNumber }>>({
  name: "steps",
  title: "Steps",
  description: "Reports progress n times, then answers.",
  inputSchema: z.object({ n: z.number().int().min(1).max(5) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, ctx) {
    for (let i = 1; i <= args.n; i++) await ctx.progress(i, args.n, `step ${i}`);
    return { text: `did ${args.n}`, structured: { done: args.n } };
  },
});

const hold = defineTool<null, z.ZodObject<{ wait: z.ZodBoolean }>>({
  name: "hold",
  title: "Hold",
  description: "Keeps its signal; with wait, runs until aborted.",
  inputSchema: z.object({ wait: z.boolean() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, ctx) {
    signals.push(ctx.signal);
    if (args.wait) {
      await new Promise<void>((resolve) => {
        released = resolve;
        ctx.signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    return { text: ctx.signal.aborted ? "aborted" : "done" };
  },
});

const vendor: VendorDefinition<null> = {
  name: "stateless-fake",
  version: "0.0.1",
  title: "Stateless fake",
  tools: [steps, hold] as AnyTool<null>[],
  createClient: () => null,
  envHelp: "",
};

const ACCEPT = { "content-type": "application/json", accept: "application/json, text/event-stream" };

describe("stateless HTTP: responses and cancellation", () => {
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    net = await serveNetwork([vendor as VendorDefinition<unknown>], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      stateless: true,
    });
    url = net.mcpUrls["stateless-fake"]!;
  });
  afterAll(() => net.close());

  const post = (body: unknown, signal?: AbortSignal) =>
    fetch(url, { method: "POST", headers: ACCEPT, body: JSON.stringify(body), ...(signal ? { signal } : {}) });

  it("answers a tools/call without a progress token with one JSON document", async () => {
    const res = await post({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "steps", arguments: { n: 2 } },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const msg = (await res.json()) as { id: number; result: { structuredContent: unknown } };
    expect(msg.id).toBe(7);
    expect(msg.result.structuredContent).toEqual({ done: 2 });
  });

  it("streams progress as SSE when the request carries a progress token", async () => {
    const res = await post({
      jsonrpc: "2.0",
      id: 8,
      method: "tools/call",
      params: { name: "steps", arguments: { n: 2 }, _meta: { progressToken: "p1" } },
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await res.text())
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)) as { method?: string; id?: number; params?: { progress: number } });
    expect(events.filter((e) => e.method === "notifications/progress").map((e) => e.params?.progress)).toEqual([1, 2]);
    expect(events.at(-1)?.id).toBe(8);

    // The SDK client asks with a token when given onprogress, and gets every notification.
    const c = await connectHttp(url);
    const seen: number[] = [];
    const result = await c.client.callTool({ name: "steps", arguments: { n: 3 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(result.structuredContent).toEqual({ done: 3 });
    expect(seen).toEqual([1, 2, 3]);
    await c.client.close();
  });

  it("answers a call to a tool it does not offer as the SDK does, and lists every tool", async () => {
    const res = await post({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "nope", arguments: {} } });
    const msg = (await res.json()) as { result?: { isError?: boolean; content: { text: string }[] }; error?: unknown };
    expect(msg.error).toBeUndefined();
    expect(msg.result?.isError).toBe(true);
    expect(msg.result?.content[0]?.text).toMatch(/Tool nope not found/);
    const list = await post({ jsonrpc: "2.0", id: 10, method: "tools/list", params: {} });
    const tools = ((await list.json()) as { result: { tools: { name: string }[] } }).result.tools;
    expect(tools.map((t) => t.name).sort()).toEqual(["hold", "steps"]);
  });

  it("leaves a finished call's signal alone when its server ends; cancels a call the client gave up on", async () => {
    signals.length = 0;
    const done = await post({
      jsonrpc: "2.0",
      id: 11,
      method: "tools/call",
      params: { name: "hold", arguments: { wait: false } },
    });
    expect(((await done.json()) as { result: { content: { text: string }[] } }).result.content[0]?.text).toBe("done");

    const gaveUp = new AbortController();
    const pending = post(
      { jsonrpc: "2.0", id: 12, method: "tools/call", params: { name: "hold", arguments: { wait: true } } },
      gaveUp.signal,
    ).catch((e: unknown) => e);
    await waitFor(() => signals.length >= 2, { what: "the second call to start" });
    expect(signals).toHaveLength(2);
    gaveUp.abort();
    await pending;
    await waitFor(() => signals[1]?.aborted, { what: "the abandoned call's signal to abort" }).finally(() =>
      released?.(),
    );
    // The first call's per-request server ended when its response closed, before the second request
    // was even sent; the second server's end (the same teardown) has now run, so the first's has too.
    expect(signals[0]?.aborted).toBe(false);
  });
});

describe("createVendorServer: only", () => {
  async function listed(only?: ReadonlySet<string>) {
    const handle = createVendorServer(vendor, { stateless: true, ...(only ? { only } : {}) });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await handle.server.connect(serverSide);
    const client = new Client({ name: "only-test", version: "0" });
    await client.connect(clientSide);
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    const call = await client.callTool({ name: "steps", arguments: { n: 1 } });
    await client.close();
    await handle.close();
    return { names, call };
  }

  it("registers just the named tools of the selection; a name outside it keeps them all", async () => {
    const one = await listed(new Set(["steps"]));
    expect(one.names).toEqual(["steps"]);
    expect(one.call.structuredContent).toEqual({ done: 1 });
    expect((await listed(new Set(["nope"]))).names).toEqual(["hold", "steps"]);
    expect((await listed()).names).toEqual(["hold", "steps"]);
  });
});
