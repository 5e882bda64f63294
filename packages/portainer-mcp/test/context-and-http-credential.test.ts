/**
 * Bounds kept out of the listing are still enforced, and the per-user credential header over HTTP
 * on a server configured with a JWT (credentialEnvClear). The bytes-per-tool budget is in
 * tools-list.test.ts.
 */

import { type NetworkHandle, serveNetwork } from "@infra-mcp/core/network";
import { connectInMemory, LOOPBACK_TEST_NETWORK, textOf } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, JWT } from "./helpers.js";

describe("tools/list bounds", () => {
  it("defensive bounds left out of the listing are still enforced, naming the field", async () => {
    const c = await connectInMemory(portainerVendor, { env: {} });
    try {
      const r = await c.call("execute-websocket", { endpointId: 1, containerId: "x".repeat(257), command: ["true"] });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/containerId/);
      const e = await c.call("execute-websocket", {
        endpointId: 1,
        containerId: "c",
        command: ["true"],
        env: ["NOEQ"],
      });
      expect(textOf(e)).toMatch(/KEY=value at env\[0\]/);
    } finally {
      await c.close();
    }
  });
});

describe("per-user X-Portainer-API-Key over HTTP on a server configured with a JWT", () => {
  let front: PortainerFront;
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    net = await serveNetwork([portainerVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { PORTAINER_URL: front.url, PORTAINER_TOKEN: JWT },
    });
    url = net.mcpUrls["portainer-mcp"] as string;
  });
  afterAll(async () => {
    await net?.close();
    await front?.close();
  });

  async function listEnvironments(headers: Record<string, string>): Promise<CallToolResult> {
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
    const client = new Client({ name: "portainer-http-test", version: "0.0.0" });
    await client.connect(transport);
    try {
      return (await client.callTool({ name: "list-environments", arguments: {} })) as CallToolResult;
    } finally {
      await client.close();
    }
  }

  it("the header's API key replaces the configured JWT (no 'set only one' error), and never shows", async () => {
    front.requests.length = 0;
    const r = await listEnvironments({ "X-Portainer-API-Key": API_KEY });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(textOf(r)).toMatch(/local/);
    expect(textOf(r)).not.toContain(API_KEY);
    const rest = front.requests.filter((q) => q.path === "/api/endpoints");
    expect(rest.map((q) => q.auth)).toEqual(["api-key-header"]);
  });

  it("without the header the configured JWT is used", async () => {
    front.requests.length = 0;
    const r = await listEnvironments({});
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(front.requests.filter((q) => q.path === "/api/endpoints").map((q) => q.auth)).toEqual(["bearer"]);
  });
});

describe("per-user X-Portainer-API-Key proven before it takes an MCP session slot", () => {
  let front: PortainerFront;
  let net: NetworkHandle;
  let url: string;
  const INIT = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
  });
  const initialize = (headers: Record<string, string>, at = url) =>
    fetch(at, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: INIT,
    });

  beforeAll(async () => {
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    net = await serveNetwork([portainerVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { PORTAINER_URL: front.url, PORTAINER_TOKEN: JWT, MCP_HTTP_MAX_SESSIONS: "8" },
    });
    url = net.mcpUrls["portainer-mcp"] as string;
  });
  afterAll(async () => {
    await net?.close();
    await front?.close();
  });

  it("MCP_HTTP_MAX_SESSIONS=8: eight made-up keys get 401 naming the header; the real user then gets a session", async () => {
    front.requests.length = 0;
    for (let i = 0; i < 8; i++) {
      const garbage = `ptr_madeup_${i}_${Math.random().toString(36).slice(2)}`;
      const r = await initialize({ "X-Portainer-API-Key": garbage });
      expect(r.status).toBe(401);
      const text = await r.text();
      expect(text).toMatch(/x-portainer-api-key header was refused/i);
      expect(text).not.toContain(garbage);
    }
    expect(net.endpoints[0]?.sessionCount).toBe(0);
    // Each was asked of Portainer once, with the key as X-API-Key, and refused there.
    const checks = front.requests.filter((q) => q.path === "/api/users/me");
    expect(checks.map((q) => q.status)).toEqual(Array(8).fill(401));

    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { "X-Portainer-API-Key": API_KEY } },
    });
    const client = new Client({ name: "portainer-http-test", version: "0.0.0" });
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeTruthy();
      const r = (await client.callTool({ name: "list-environments", arguments: {} })) as CallToolResult;
      expect(r.isError, textOf(r)).toBeFalsy();
      const accepted = front.requests.filter((q) => q.path === "/api/users/me" && q.status === undefined);
      expect(accepted.map((q) => q.auth)).toEqual(["api-key-header"]);
    } finally {
      await client.close();
    }
  });

  it("Portainer unreachable: 503 saying the header could not be checked, and no slot taken", async () => {
    const down = await serveNetwork([portainerVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      // A port nothing listens on (the front's, once closed).
      env: { PORTAINER_URL: "http://127.0.0.1:9", PORTAINER_API_KEY: API_KEY, MCP_UPSTREAM_RETRIES: "0" },
    });
    try {
      const r = await initialize({ "X-Portainer-API-Key": API_KEY }, down.mcpUrls["portainer-mcp"]);
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("5");
      expect(await r.text()).toMatch(/x-portainer-api-key header cannot be checked now/);
      expect(down.endpoints[0]?.sessionCount).toBe(0);
    } finally {
      await down.close();
    }
  });
});
