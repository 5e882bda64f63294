/** The REST surface serves exactly the tools MCP serves under the same flags (one filter map for both). */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../src/base/errors.js";
import { type NetworkOptions, serveNetwork } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK } from "../src/testing/index.js";
import { startUpstream, thingsVendor } from "./fixtures/toolset-vendor.js";

let up: Awaited<ReturnType<typeof startUpstream>>;
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(() => up.close());

const cases: { flags: Partial<NetworkOptions>; mcp: string[] }[] = [
  { flags: {}, mcp: ["list-things", "touch-thing", "delete-thing"] },
  { flags: { toolsets: ["all"] }, mcp: ["list-things", "touch-thing", "delete-thing", "wipe", "open-shell"] },
  { flags: { toolsets: ["all"], readOnly: true }, mcp: ["list-things"] },
  { flags: { toolsets: ["all"], disableDestructive: true }, mcp: ["list-things", "touch-thing", "open-shell"] },
  { flags: { toolsets: ["admin"], tools: ["list-things"] }, mcp: ["list-things", "wipe"] },
  { flags: { tools: ["touch-thing"] }, mcp: ["touch-thing"] },
];

describe("REST and MCP serve the same tools", () => {
  for (const { flags, mcp } of cases) {
    it(`${JSON.stringify(flags)}`, async () => {
      const net = await serveNetwork([thingsVendor(up.base)], {
        ...LOOPBACK_TEST_NETWORK,
        http: true,
        rest: true,
        ...flags,
      });
      const client = new Client({ name: "parity", version: "0" });
      try {
        await client.connect(new StreamableHTTPClientTransport(new URL(net.mcpUrls["things-mcp"] as string)));
        const listed = (await client.listTools()).tools.map((t) => t.name).filter((n) => !n.startsWith("session-"));
        expect(listed).toEqual(mcp);
        // Every tool here has a REST route except open-shell (a session opener, never on REST).
        const restTools = [...new Set(net.rest?.routes.map((r) => r.tool.name))];
        expect(restTools).toEqual(mcp.filter((n) => n !== "open-shell"));
      } finally {
        await client.close();
        await net.close();
      }
    });
  }

  it("an unknown toolset refuses to start before anything listens", async () => {
    await expect(
      serveNetwork([thingsVendor(up.base)], { ...LOOPBACK_TEST_NETWORK, http: true, rest: true, toolsets: ["nope"] }),
    ).rejects.toThrow(ConfigError);
  });
});
