import http from "node:http";
import type { AddressInfo } from "node:net";
import type { NetworkHandle } from "@infra-mcp/core/network";
import { LOOPBACK_TEST_NETWORK } from "@infra-mcp/core/testing";
import { startTestIdentityProvider, type TestIdentityProvider } from "@infra-mcp/core/testing/oidc";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, vendors } from "../src/index.js";

/**
 * Team sign-in on every server the gateway mounts: tokens from a real OpenID provider on loopback,
 * each vendor's /<vendor>/mcp and the REST routes checked for the refusals and the two levels. The
 * Qovery upstream is a recording loopback server, so the test sees what reaches an upstream.
 */
const AUDIENCE = "https://infra.test.example";
const QOVERY_KEY = "qov_gateway_oauth_key_0123456789";
const CONTAINER = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

/** A route of each vendor that needs the write scope, and (where the vendor has one) a read route. */
const WRITE_ROUTES: Record<string, { method: string; path: string }> = {
  "portainer-mcp": { method: "GET", path: "/v1/websocket/exec?endpointId=1&containerId=x&command=true" },
  "incus-mcp": { method: "DELETE", path: "/v1/1-0/operations/7f6a1d58-0000-4000-8000-000000000000" },
  "qovery-mcp": { method: "POST", path: `/v1/container/${CONTAINER}/clone` },
};

interface Seen {
  headers: http.IncomingHttpHeaders;
  url: string;
}

function mcpCall(url: string, token: string | undefined, body: unknown, sid?: string) {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(sid ? { "mcp-session-id": sid } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function connect(url: string, token: string) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "gateway-oauth", version: "0" });
  await client.connect(transport);
  return { client, transport };
}

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
};

describe("gateway with team sign-in (OAuth resource server)", () => {
  let idp: TestIdentityProvider;
  let net: NetworkHandle;
  let qovery: http.Server;
  const seen: Seen[] = [];
  let readToken: string;
  let userToken: string;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    qovery = http.createServer((req, res) => {
      seen.push({ headers: req.headers, url: req.url ?? "" });
      req.resume();
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ "deployment.termination_grace_period_seconds": 60 }));
    });
    await new Promise<void>((r) => qovery.listen(0, "127.0.0.1", r));
    net = await startGateway({
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: true,
      env: {
        MCP_OAUTH_ISSUER: idp.issuer,
        MCP_OAUTH_AUDIENCE: AUDIENCE,
        QOVERY_API_KEY: QOVERY_KEY,
        QOVERY_API_URL: `http://127.0.0.1:${(qovery.address() as AddressInfo).port}`,
      },
    });
    [readToken, userToken] = await Promise.all([
      idp.clientCredentials({ resource: AUDIENCE, scope: "mcp:read" }),
      idp.authorizationCode({ resource: AUDIENCE, scope: "mcp:read mcp:write", user: "dana" }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await net?.close();
    await new Promise<void>((r) => (qovery ? qovery.close(() => r()) : r()));
    await idp?.close();
  });

  it("every vendor's /mcp: 401 with its own path-suffixed metadata URL without a token", async () => {
    for (const vendor of vendors) {
      const url = net.mcpUrls[vendor.name] ?? "";
      const res = await mcpCall(url, undefined, INIT);
      expect(res.status, vendor.name).toBe(401);
      const { origin, pathname } = new URL(url);
      expect(res.headers.get("www-authenticate"), vendor.name).toBe(
        `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource${pathname}"`,
      );
      const metadata = (await (await fetch(`${origin}/.well-known/oauth-protected-resource${pathname}`)).json()) as {
        resource: string;
        authorization_servers: string[];
      };
      expect(metadata.resource).toBe(AUDIENCE);
      expect(metadata.authorization_servers).toEqual([idp.issuer]);
      const expired = await idp.sign({ sub: "dana", aud: AUDIENCE, scope: "mcp:write" }, { expiresIn: -60 });
      const refused = await mcpCall(url, expired, INIT);
      expect(refused.status, vendor.name).toBe(401);
      expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
  });

  it("read scope lists exactly each vendor's read-only tools; a write tool call gets 403 insufficient_scope", async () => {
    for (const vendor of vendors) {
      const url = net.mcpUrls[vendor.name] ?? "";
      const { client, transport } = await connect(url, readToken);
      try {
        const listed = (await client.listTools()).tools;
        expect(listed.length, vendor.name).toBeGreaterThan(0);
        for (const tool of listed) expect(tool.annotations?.readOnlyHint, `${vendor.name} ${tool.name}`).toBe(true);
        const writer = vendor.tools.find((t) => !t.annotations.readOnlyHint && !t.usesSessions);
        expect(writer, vendor.name).toBeDefined();
        const res = await mcpCall(
          url,
          readToken,
          { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: writer?.name, arguments: {} } },
          transport.sessionId,
        );
        expect(res.status, `${vendor.name} ${writer?.name}`).toBe(403);
        expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
        expect(res.headers.get("www-authenticate")).toContain('scope="mcp:write"');
      } finally {
        await client.close();
      }
    }
  });

  it("write scope (a signed-in user) lists each vendor's write tools too", async () => {
    for (const vendor of vendors) {
      const { client } = await connect(net.mcpUrls[vendor.name] ?? "", userToken);
      try {
        const listed = (await client.listTools()).tools;
        expect(
          listed.some((t) => t.annotations?.readOnlyHint === false),
          vendor.name,
        ).toBe(true);
      } finally {
        await client.close();
      }
    }
  });

  it("REST: 401 without a token, 403 insufficient_scope on each vendor's write route with the read scope", async () => {
    for (const [vendor, route] of Object.entries(WRITE_ROUTES)) {
      const url = `${net.restUrl}${route.path}`;
      const anonymous = await fetch(url, { method: route.method });
      expect(anonymous.status, vendor).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toBe(
        `Bearer resource_metadata="${net.restUrl}/.well-known/oauth-protected-resource"`,
      );
      const res = await fetch(url, {
        method: route.method,
        headers: { authorization: `Bearer ${readToken}`, "content-type": "application/json" },
        ...(route.method === "GET" ? {} : { body: JSON.stringify({ name: "copy", environment_id: CONTAINER }) }),
      });
      expect(res.status, vendor).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe("insufficient_scope");
    }
  });

  it("REST read route with the read scope reaches the upstream with the server's credential, never the token", async () => {
    const res = await fetch(`${net.restUrl}/v1/defaultcontaineradvancedsettings`, {
      headers: { authorization: `Bearer ${readToken}` },
    });
    expect(res.status).toBe(200);
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) {
      expect(request.headers.authorization).toBe(`Token ${QOVERY_KEY}`);
      expect(JSON.stringify(request)).not.toContain(readToken.split(".")[2]);
      expect(JSON.stringify(request)).not.toContain(userToken.split(".")[2]);
    }
  });
});

describe("gateway with team sign-in, stateless", () => {
  it("filters each request's listing by scope and refuses write calls", async () => {
    const idp = await startTestIdentityProvider();
    const net = await startGateway({
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      stateless: true,
      env: { MCP_OAUTH_ISSUER: idp.issuer, MCP_OAUTH_AUDIENCE: AUDIENCE },
    });
    try {
      const url = net.mcpUrls["incus-mcp"] ?? "";
      const read = await idp.clientCredentials({ resource: AUDIENCE, scope: "mcp:read" });
      const list = async (token: string) => {
        const res = await mcpCall(url, token, { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
        const text = await res.text();
        const data = /^data: (.*)$/m.exec(text)?.[1] ?? text;
        return (JSON.parse(data) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
      };
      expect(await list(read)).toContain("list-instances");
      expect(await list(read)).not.toContain("exec-in-instance");
      const write = await idp.clientCredentials({ resource: AUDIENCE, scope: "mcp:write" });
      expect(await list(write)).toContain("exec-in-instance");
      const call = await mcpCall(url, read, {
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "exec-in-instance", arguments: { instance: "c1", command: ["true"] } },
      });
      expect(call.status).toBe(403);
    } finally {
      await net.close();
      await idp.close();
    }
  });
});
