import http from "node:http";
import type { NetworkHandle } from "@infra-mcp/core/network";
import { LOOPBACK_TEST_NETWORK } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, vendors } from "../src/index.js";

function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; type: string | undefined }>((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, type: res.headers["content-type"] }));
      })
      .on("error", reject);
  });
}

describe("gateway: three vendors in one process", () => {
  let net: NetworkHandle;

  beforeAll(async () => {
    net = await startGateway({
      toolsets: ["all"],
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: true,
    });
  });
  afterAll(() => net.close());

  it("mounts each vendor at /<vendor>/mcp", () => {
    const base = `http://127.0.0.1:${net.httpPort}`;
    expect(net.mcpUrls).toEqual({
      "portainer-mcp": `${base}/portainer/mcp`,
      "incus-mcp": `${base}/incus/mcp`,
      "qovery-mcp": `${base}/qovery/mcp`,
    });
  });

  it("serves an MCP session per vendor with that vendor's tools, concurrently", async () => {
    const sessions = await Promise.all(
      vendors.map(async (vendor) => {
        const transport = new StreamableHTTPClientTransport(new URL(net.mcpUrls[vendor.name]!));
        const client = new Client({ name: "gateway-test", version: "0" });
        await client.connect(transport);
        return { vendor, client, transport };
      }),
    );
    for (const { vendor, client, transport } of sessions) {
      expect(client.getServerVersion()?.name).toBe(vendor.name);
      expect(transport.sessionId).toBeTruthy();
      if (vendor.tools.length > 0) {
        const listed = (await client.listTools()).tools.map((t) => t.name).sort();
        const own = vendor.tools.map((t) => t.name);
        expect(listed.length).toBeGreaterThan(0);
        for (const name of listed) expect(own).toContain(name);
      }
    }
    const ids = new Set(sessions.map((s) => s.transport.sessionId));
    expect(ids.size).toBe(3);
    for (const s of sessions) {
      await s.transport.terminateSession();
      await s.client.close();
    }
    expect(net.endpoints.map((e) => e.sessionCount)).toEqual([0, 0, 0]);
  });

  it("serves each vendor's own prompts at its mount (issue 25)", async () => {
    const expected: Record<string, string[]> = {
      "portainer-mcp": ["diagnose-container", "run-command-safely"],
      "incus-mcp": ["diagnose-instance", "run-command-safely"],
      "qovery-mcp": ["diagnose-deployment", "run-command-safely"],
    };
    for (const vendor of vendors) {
      const client = new Client({ name: "gateway-prompts", version: "0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(net.mcpUrls[vendor.name]!)));
      try {
        const names = (await client.listPrompts()).prompts.map((p) => p.name).sort();
        expect(names, vendor.name).toEqual(expected[vendor.name]);
        const first = expected[vendor.name]![0]!;
        const args = { endpointId: "1", containerId: "web", instance: "c1" };
        const own = Object.fromEntries(
          ((await client.listPrompts()).prompts.find((p) => p.name === first)?.arguments ?? []).flatMap((a) =>
            a.required ? [[a.name, args[a.name as keyof typeof args] ?? "x"]] : [],
          ),
        );
        const got = await client.getPrompt({ name: first, arguments: own });
        expect((got.messages[0]?.content as { text?: string } | undefined)?.text, vendor.name).toMatch(
          /Read only; change nothing/,
        );
      } finally {
        await client.close();
      }
    }
  });

  it("serves every vendor's REST routes on the REST port and 404s the rest as problem+json", async () => {
    const declared = vendors.flatMap((v) => v.routes ?? []);
    expect(net.rest!.routes).toHaveLength(declared.length);
    // No token configured: /healthz tells nobody the route count.
    const health = await get(`${net.restUrl}/healthz`);
    expect(JSON.parse(health.body)).toEqual({ status: "ok" });
    const missing = await get(`${net.restUrl}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.type).toBe("application/problem+json");
  });

  it("applies the DNS-rebinding guard to every mount", async () => {
    const refused = await get(`http://127.0.0.1:${net.httpPort}/incus/mcp`, { host: "evil.example" });
    expect(refused.status).toBe(403);
  });
});
