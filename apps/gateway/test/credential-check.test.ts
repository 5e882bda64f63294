/**
 * The gateway mounts all three vendors; each proves its own per-user credential header at
 * initialize before it costs a session slot: Portainer (the front over the real Docker engine),
 * Incus (the real daemon over its socket, where a token proves nothing) and Qovery (a loopback
 * stand-in answering as Qovery does: 401 for a token it does not know).
 */
import type { NetworkHandle } from "@infra-mcp/core/network";
import { INCUS_TEST_SOCKET, LOOPBACK_TEST_NETWORK } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PortainerFront,
  startPortainerFront,
} from "../../../packages/portainer-mcp/test/fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, JWT } from "../../../packages/portainer-mcp/test/helpers.js";
import { FAKE_TOKEN, type Recorder, startRecorder } from "../../../packages/qovery-mcp/test/servers.js";
import { startGateway } from "../src/index.js";

const QOVERY_USER = "qov-gateway-user-token-5d2e";
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});

describe("gateway: every vendor's credential header is proven before it takes a slot", () => {
  let net: NetworkHandle;
  let front: PortainerFront;
  let qovery: Recorder;

  beforeAll(async () => {
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    qovery = await startRecorder((req) => {
      const known = [`Token ${FAKE_TOKEN}`, `Token ${QOVERY_USER}`].includes(String(req.headers.authorization));
      if (!known) return { status: 401 };
      return req.path === "/organization" ? { status: 200, body: { results: [] } } : { status: 404, body: {} };
    });
    net = await startGateway({
      toolsets: ["all"],
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: {
        PORTAINER_URL: front.url,
        PORTAINER_API_KEY: API_KEY,
        INCUS_SOCKET: INCUS_TEST_SOCKET,
        QOVERY_API_URL: qovery.url,
        QOVERY_API_KEY: FAKE_TOKEN,
        MCP_HTTP_MAX_SESSIONS: "8",
      },
    });
  });
  afterAll(async () => {
    await net?.close();
    await front?.close();
    await qovery?.close();
  });

  const initialize = (vendor: string, headers: Record<string, string>) =>
    fetch(net.mcpUrls[vendor] as string, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: INIT,
    });

  it("eight made-up values per vendor get 401 naming that vendor's header; no slot is taken anywhere", async () => {
    const cases: [string, string][] = [
      ["portainer-mcp", "X-Portainer-API-Key"],
      ["qovery-mcp", "X-Qovery-Token"],
      ["incus-mcp", "X-Incus-Token"],
    ];
    for (const [vendor, header] of cases) {
      for (let i = 0; i < 8; i++) {
        const r = await initialize(vendor, { [header]: `made-up-${vendor}-${i}-${Date.now()}` });
        const text = await r.text();
        expect(r.status, `${vendor}: ${text}`).toBe(401);
        expect(text).toContain(`${header.toLowerCase()} header was refused`);
      }
    }
    expect(net.endpoints.map((e) => e.sessionCount)).toEqual([0, 0, 0]);
  });

  it("then the real users get their sessions (Portainer and Qovery)", async () => {
    for (const [vendor, headers] of [
      ["portainer-mcp", { "X-Portainer-API-Key": API_KEY }],
      ["qovery-mcp", { "X-Qovery-Token": QOVERY_USER }],
    ] as const) {
      const transport = new StreamableHTTPClientTransport(new URL(net.mcpUrls[vendor] as string), {
        requestInit: { headers },
      });
      const client = new Client({ name: "gateway-credential-test", version: "0" });
      await client.connect(transport);
      try {
        expect(transport.sessionId, vendor).toBeTruthy();
        expect(client.getServerVersion()?.name).toBe(vendor);
      } finally {
        await client.close();
      }
    }
  });
});
