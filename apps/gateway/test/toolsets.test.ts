/** The gateway's --toolsets and safety levels: per-vendor selection, REST serving what MCP serves. */
import { selectTools, toolsetOf } from "@infra-mcp/core";
import { LOOPBACK_TEST_NETWORK } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { type GatewayOptions, startGateway, vendors } from "../src/index.js";

async function served(options: Partial<GatewayOptions>) {
  const net = await startGateway({ ...LOOPBACK_TEST_NETWORK, http: true, rest: true, ...options });
  try {
    const out: Record<string, { mcp: string[]; rest: string[] }> = {};
    for (const vendor of vendors) {
      const client = new Client({ name: "gateway-toolsets", version: "0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(net.mcpUrls[vendor.name] as string)));
      const mcp = (await client.listTools()).tools.map((t) => t.name);
      await client.close();
      const rest = [...new Set(net.rest?.routes.filter((r) => r.vendor.name === vendor.name).map((r) => r.tool.name))];
      out[vendor.name] = { mcp, rest };
    }
    return out;
  } finally {
    await net.close();
  }
}

/** A REST route exists exactly for the served tools that declare one. */
function expectParity(list: { mcp: string[]; rest: string[] }, vendorName: string) {
  const vendor = vendors.find((v) => v.name === vendorName);
  const withRoutes = list.mcp.filter((n) => vendor?.routes?.some((r) => r.tool.name === n));
  expect(list.rest.sort(), vendorName).toEqual(withRoutes.sort());
}

describe("gateway toolsets and levels", () => {
  it("every tool of every vendor belongs to one of its vendor's toolsets", () => {
    for (const vendor of vendors) {
      for (const tool of vendor.tools) {
        const set = toolsetOf(tool);
        expect(set, `${vendor.name}/${tool.name}`).toBeDefined();
        expect(Object.keys(vendor.toolsets ?? {}), `${vendor.name}/${tool.name}`).toContain(set);
      }
    }
  });

  it("REST serves exactly the tools MCP serves, per vendor, under each level", async () => {
    for (const flags of [{}, { readOnly: true }, { disableDestructive: true }, { toolsets: ["all"] }]) {
      const lists = await served(flags);
      for (const [name, list] of Object.entries(lists)) {
        expectParity(list, name);
        const tools = vendors.find((v) => v.name === name)?.tools ?? [];
        for (const toolName of list.mcp) {
          const hints = tools.find((t) => t.name === toolName)?.annotations;
          if ("readOnly" in flags) expect(hints?.readOnlyHint, toolName).toBe(true);
          if ("disableDestructive" in flags) expect(hints?.destructiveHint, toolName).toBe(false);
        }
      }
    }
  });

  it("a vendor:toolset entry narrows that vendor only; the others keep their defaults", async () => {
    const all = await served({});
    const lists = await served({ toolsets: ["incus:operations"] });
    const incus = vendors.find((v) => v.name === "incus-mcp");
    const expected = selectTools(incus?.tools ?? [], { toolsets: ["operations"] }, incus?.toolsets).map((t) => t.name);
    expect(lists["incus-mcp"]?.mcp).toEqual(expected);
    expect(lists["incus-mcp"]?.mcp.length).toBeLessThan(all["incus-mcp"]?.mcp.length ?? 0);
    expect(lists["portainer-mcp"]?.mcp).toEqual(all["portainer-mcp"]?.mcp);
    expect(lists["qovery-mcp"]?.mcp).toEqual(all["qovery-mcp"]?.mcp);
  });

  it("an unknown toolset refuses to start, naming every vendor's toolsets", async () => {
    await expect(
      startGateway({ ...LOOPBACK_TEST_NETWORK, http: true, rest: true, toolsets: ["incus:nope"] }),
    ).rejects.toThrow(
      /Unknown toolset\(s\) in --toolsets: incus:nope\. the servers have: portainer: .*; incus: .*; qovery: /,
    );
  });
});
