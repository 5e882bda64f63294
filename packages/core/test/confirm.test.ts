/**
 * --confirm-destructive: a destructive call asks the user through MCP form elicitation before
 * anything is sent upstream. The upstream here is a real loopback HTTP server that records every
 * request, so "nothing was sent" is observed, not assumed.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type CallToolResult,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK, textOf } from "../src/testing/index.js";
import { createVendorServer } from "../src/tools/vendor.js";
import { startUpstream, thingsVendor } from "./fixtures/toolset-vendor.js";

let up: Awaited<ReturnType<typeof startUpstream>>;
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(() => up.close());
beforeEach(() => {
  up.requests.length = 0;
});

type Answer = ElicitResult | ((req: ElicitRequest) => ElicitResult);

/** An SDK client; with `answer`, it declares form elicitation and answers every question so. */
function makeClient(answer: Answer | undefined, asked: ElicitRequest["params"][]): Client {
  const client = new Client(
    { name: "confirm-test", version: "0" },
    answer ? { capabilities: { elicitation: { form: {} } } } : {},
  );
  if (answer) {
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params);
      return typeof answer === "function" ? answer(req) : answer;
    });
  }
  return client;
}

async function inMemory(answer: Answer | undefined, options = { confirmDestructive: true, toolsets: ["all"] }) {
  const handle = createVendorServer(thingsVendor(up.base), options);
  const [c, s] = InMemoryTransport.createLinkedPair();
  await handle.server.connect(s);
  const asked: ElicitRequest["params"][] = [];
  const client = makeClient(answer, asked);
  await client.connect(c);
  return {
    asked,
    call: async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await handle.close();
    },
  };
}

describe("--confirm-destructive over MCP (in memory)", () => {
  let conn: Awaited<ReturnType<typeof inMemory>> | undefined;
  afterEach(async () => {
    await conn?.close();
    conn = undefined;
  });

  it("accept: asks with the tool's confirm line, then the call goes upstream", async () => {
    conn = await inMemory({ action: "accept", content: { confirm: true } });
    const r = await conn.call("delete-thing", { name: "web" });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({ deleted: "web" });
    expect(conn.asked).toHaveLength(1);
    expect(conn.asked[0]).toMatchObject({ mode: "form", message: "Allow this destructive call? delete thing web" });
    expect(up.requests).toEqual(["DELETE /things/web"]);
  });

  it("decline: a tool result saying so, nothing sent upstream", async () => {
    conn = await inMemory({ action: "decline" });
    const r = await conn.call("delete-thing", { name: "web" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe(
      "Not run: the user declined (delete thing web). Nothing was sent upstream. Do not retry unless the user asks for it.",
    );
    expect(up.requests).toEqual([]);
  });

  it("cancel: a tool result saying so, nothing sent upstream", async () => {
    conn = await inMemory({ action: "cancel" });
    const r = await conn.call("delete-thing", { name: "web" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^Not run: the user cancelled \(delete thing web\)\. Nothing was sent upstream/);
    expect(up.requests).toEqual([]);
  });

  it("accept without ticking confirm is not a yes", async () => {
    conn = await inMemory({ action: "accept", content: { confirm: false } });
    const r = await conn.call("delete-thing", { name: "web" });
    expect(textOf(r)).toMatch(/^Not run: the user did not tick confirm/);
    expect(up.requests).toEqual([]);
  });

  it("a client without elicitation gets a clear error, nothing sent upstream", async () => {
    conn = await inMemory(undefined);
    const r = await conn.call("delete-thing", { name: "web" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(
      /^delete-thing was not run: this server's operator requires the user to confirm this call \(--confirm destructive\), and this MCP client does not support confirmation prompts/,
    );
    expect(up.requests).toEqual([]);
  });

  it("without a confirm line the question shows the tool's title and arguments", async () => {
    conn = await inMemory({ action: "decline" });
    await conn.call("wipe", { really: true });
    expect(conn.asked[0]?.message).toBe('Allow this destructive call? Wipe everything: wipe {"really":true}');
    expect(up.requests).toEqual([]);
  });

  it("only destructive tools ask: reads and non-destructive writes run straight away", async () => {
    conn = await inMemory({ action: "decline" });
    expect((await conn.call("list-things", {})).isError).toBeFalsy();
    expect((await conn.call("touch-thing", { name: "a" })).isError).toBeFalsy();
    expect(conn.asked).toEqual([]);
    expect(up.requests).toEqual(["GET /things", "POST /things/a"]);
  });

  it("core's session tools ask too, with their own line; declined input never reaches the session", async () => {
    conn = await inMemory({ action: "decline" });
    const opened = await conn.call("open-shell", {});
    const sessionId = (opened.structuredContent as { sessionId: string }).sessionId;
    const r = await conn.call("session-write", { sessionId, data: "rm -rf /tmp/x\n" });
    expect(textOf(r)).toMatch(/^Not run: the user declined/);
    expect(conn.asked[0]?.message).toBe(
      `Allow this destructive call? type "rm -rf /tmp/x\\n" into session ${sessionId}`,
    );
    expect(up.requests).toEqual([]);
    await conn.call("session-close", { sessionId });
    expect(conn.asked[1]?.message).toMatch(/close session .*, ending its process if it still runs$/);
  });

  it("without --confirm-destructive nothing is asked", async () => {
    conn = await inMemory({ action: "decline" }, { confirmDestructive: false, toolsets: ["all"] });
    expect((await conn.call("delete-thing", { name: "x" })).isError).toBeFalsy();
    expect(conn.asked).toEqual([]);
    expect(up.requests).toEqual(["DELETE /things/x"]);
  });
});

describe("--confirm-destructive over HTTP (MCP and REST)", () => {
  let net: NetworkHandle;
  beforeAll(async () => {
    net = await serveNetwork([thingsVendor(up.base)], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: true,
      confirmDestructive: true,
      toolsets: ["things"],
    });
  });
  afterAll(() => net.close());

  async function httpClient(answer: Answer | undefined) {
    const asked: ElicitRequest["params"][] = [];
    const client = makeClient(answer, asked);
    await client.connect(new StreamableHTTPClientTransport(new URL(net.mcpUrls["things-mcp"] as string)));
    return { client, asked };
  }

  it("the question travels on the tool call's stream; accept runs it, decline does not", async () => {
    const yes = await httpClient({ action: "accept", content: { confirm: true } });
    const no = await httpClient({ action: "decline" });
    try {
      const ok = (await yes.client.callTool({ name: "delete-thing", arguments: { name: "a" } })) as CallToolResult;
      expect(ok.isError).toBeFalsy();
      const refused = (await no.client.callTool({ name: "delete-thing", arguments: { name: "b" } })) as CallToolResult;
      expect(textOf(refused)).toMatch(/^Not run: the user declined/);
      expect(yes.asked).toHaveLength(1);
      expect(no.asked).toHaveLength(1);
      expect(up.requests).toEqual(["DELETE /things/a"]);
    } finally {
      await yes.client.close();
      await no.client.close();
    }
  });

  it("REST refuses destructive routes with 403 (it cannot ask) and serves the others", async () => {
    const del = await fetch(`${net.restUrl}/v1/things/web`, { method: "DELETE" });
    expect(del.status).toBe(403);
    const body = (await del.json()) as { title: string; detail: string };
    expect(body.title).toBe("Confirmation required");
    expect(body.detail).toMatch(/delete-thing is destructive .* use the MCP endpoint/);
    expect(up.requests).toEqual([]);
    const list = await fetch(`${net.restUrl}/v1/things`);
    expect(list.status).toBe(200);
    expect(up.requests).toEqual(["GET /things"]);
  });
});

describe("--confirm-destructive with --stateless", () => {
  it("offers no destructive tool and says why in the instructions", async () => {
    const net = await serveNetwork([thingsVendor(up.base)], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      stateless: true,
      confirmDestructive: true,
      toolsets: ["things"],
    });
    const client = makeClient({ action: "accept", content: { confirm: true } }, []);
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(net.mcpUrls["things-mcp"] as string)));
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["list-things", "touch-thing"]);
      expect(client.getInstructions()).toMatch(/cannot ask for, so these are not offered: delete-thing\./);
    } finally {
      await client.close();
      await net.close();
    }
  });
});
