/**
 * A per-user X-Qovery-Token is proven with Qovery before it costs an MCP session slot: `GET
 * /organization` (contract-checked against the spec), which Qovery answers 401 for a token it
 * does not know. Qovery is a SaaS: the upstream here is the suites' loopback recorder answering
 * as Qovery does (401 without a known token, the spec's OrganizationResponseList otherwise).
 */
import { type NetworkHandle, serveNetwork } from "@infra-mcp/core/network";
import { LOOPBACK_TEST_NETWORK } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qoveryVendor } from "../src/index.js";
import { IDS } from "./fixtures.js";
import { QoverySpec } from "./openapi.js";
import { FAKE_TOKEN, type Recorder, startRecorder } from "./servers.js";

const spec = new QoverySpec();
const USER_TOKEN = "qov-user-token-3c9e1f0a7b-DO-NOT-LEAK";
const KNOWN = new Set([`Token ${FAKE_TOKEN}`, `Token ${USER_TOKEN}`]);
const ORGANIZATIONS = {
  results: [{ id: IDS.organization, created_at: "2026-01-05T10:00:00Z", name: "acme" }],
};
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});

describe("per-user X-Qovery-Token proven before it takes an MCP session slot", () => {
  let rec: Recorder;
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    rec = await startRecorder((req) => {
      if (!KNOWN.has(String(req.headers.authorization))) return { status: 401 };
      if (req.method === "GET" && req.path === "/organization") return { status: 200, body: ORGANIZATIONS };
      return { status: 404, body: { message: "not found" } };
    });
    net = await serveNetwork([qoveryVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { QOVERY_API_URL: rec.url, QOVERY_API_KEY: FAKE_TOKEN, MCP_HTTP_MAX_SESSIONS: "8" },
    });
    url = net.mcpUrls["qovery-mcp"] as string;
  });
  afterAll(async () => {
    await net?.close();
    await rec?.close();
  });

  it("MCP_HTTP_MAX_SESSIONS=8: eight made-up tokens get 401 naming the header; the real user then gets a session", async () => {
    for (let i = 0; i < 8; i++) {
      const garbage = `qov-madeup-${i}-${Math.random().toString(36).slice(2)}`;
      const r = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "X-Qovery-Token": garbage,
        },
        body: INIT,
      });
      expect(r.status).toBe(401);
      const text = await r.text();
      expect(text).toMatch(/x-qovery-token header was refused/);
      expect(text).not.toContain(garbage);
    }
    expect(net.endpoints[0]?.sessionCount).toBe(0);
    expect(rec.requests.map((q) => `${q.method} ${q.path}`)).toEqual(Array(8).fill("GET /organization"));

    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { "X-Qovery-Token": USER_TOKEN } },
    });
    const client = new Client({ name: "qovery-http-test", version: "0.0.0" });
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeTruthy();
      expect(net.endpoints[0]?.sessionCount).toBe(1);
    } finally {
      await client.close();
    }
    const last = rec.requests.at(-1);
    expect(last?.headers.authorization).toBe(`Token ${USER_TOKEN}`);
    // The check is a request Qovery's API defines, as the server sends it.
    for (const q of rec.requests) expect(spec.check(q).problems).toEqual([]);
  });
});
