/**
 * The two hooks for running several replicas behind a proxy (deploy/): MCP_INSTANCE_ID (replica id
 * in serverInfo.version and the X-MCP-Instance header) and MCP_SESSION_ID_HEADER (a new session's
 * server-generated id starts with the proxy's request id, so hashing on "the session id's prefix,
 * else the request id" keeps a session on the replica that created it). The nginx end-to-end test
 * is deploy/test/scale-out.test.ts.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../src/base/errors.js";
import { instanceIdFromEnv, type NetworkHandle, serveNetwork, sessionIdHeaderFromEnv } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK } from "../src/testing/index.js";
import { anyFake } from "./fixtures/fake-vendor.js";

async function open(url: string, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: "replica-test", version: "0" });
  await client.connect(transport);
  return { client, transport };
}

describe("replica id and routable session ids", () => {
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { FAKE_TOKEN: "env-token-0000", MCP_INSTANCE_ID: "replica-7", MCP_SESSION_ID_HEADER: "X-Request-ID" },
    });
    url = net.mcpUrls["fake-mcp"]!;
  });
  afterAll(() => net.close());

  it("shows the replica id in serverInfo.version and on every response", async () => {
    const { client, transport } = await open(url);
    expect(client.getServerVersion()?.version).toBe("1.2.3+replica-7");
    const health = await fetch(url.replace("/mcp", "/healthz"));
    expect(health.headers.get("x-mcp-instance")).toBe("replica-7");
    const missing = await fetch(url.replace("/mcp", "/nope"));
    expect(missing.headers.get("x-mcp-instance")).toBe("replica-7");
    await transport.terminateSession();
    await client.close();
  });

  it("never adopts a client's id: the routing key is only a prefix of a server-generated id", async () => {
    const key = "0123456789abcdef0123456789abcdef";
    const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    const a = await open(url, { "x-request-id": key });
    expect(a.transport.sessionId).toMatch(new RegExp(`^${key}\\.${uuid}$`));
    await a.client.listTools(); // later requests of the session carry other request ids: no effect
    // The same key again (an attacker fixing a victim's session): another, unguessable id.
    const b = await open(url, { "x-request-id": key });
    expect(b.transport.sessionId).toMatch(new RegExp(`^${key}\\.${uuid}$`));
    expect(b.transport.sessionId).not.toBe(a.transport.sessionId);
    // A whole session id proposed as the key (it has a "."): ignored.
    const c = await open(url, { "x-request-id": a.transport.sessionId! });
    expect(c.transport.sessionId).toMatch(new RegExp(`^${uuid}$`));
    // Too short, or characters outside [0-9A-Za-z_~-]: ignored.
    const d = await open(url, { "x-request-id": "short" });
    expect(d.transport.sessionId).toMatch(new RegExp(`^${uuid}$`));
    const e = await open(url, { "x-request-id": "has spaces in it and is long enough" });
    expect(e.transport.sessionId).toMatch(new RegExp(`^${uuid}$`));
    for (const s of [a, b, c, d, e]) {
      await s.transport.terminateSession();
      await s.client.close();
    }
  });

  it("refuses malformed settings with a ConfigError naming the variable", () => {
    expect(() => instanceIdFromEnv({ MCP_INSTANCE_ID: "has space" })).toThrow(ConfigError);
    expect(() => instanceIdFromEnv({ MCP_INSTANCE_ID: "x".repeat(65) })).toThrow(/MCP_INSTANCE_ID/);
    expect(instanceIdFromEnv({ MCP_INSTANCE_ID: " gw-7d9f-abc12 " })).toBe("gw-7d9f-abc12");
    expect(instanceIdFromEnv({})).toBeUndefined();
    expect(() => sessionIdHeaderFromEnv({ MCP_SESSION_ID_HEADER: "x request" })).toThrow(/MCP_SESSION_ID_HEADER/);
    expect(sessionIdHeaderFromEnv({ MCP_SESSION_ID_HEADER: "X-Request-ID" })).toBe("x-request-id");
  });
});
