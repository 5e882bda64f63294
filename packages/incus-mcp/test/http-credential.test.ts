/**
 * X-Incus-Token over the unix socket: the daemon trusts every local caller as root whatever it
 * sends, so a token proves nothing there. The check at initialize (GET /1.0 on the real daemon)
 * says so with a 401 instead of opening a session that silently ignores the header. The token
 * proven against a daemon that trusts an OpenID provider is in oidc.test.ts.
 */
import { type NetworkHandle, serveNetwork } from "@infra-mcp/core/network";
import { LOOPBACK_TEST_NETWORK } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incusVendor } from "../src/index.js";
import { gate, SOCKET } from "./helpers.js";

describe.skipIf(gate.skip)("X-Incus-Token on a server reaching Incus over the unix socket", () => {
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    net = await serveNetwork([incusVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { INCUS_SOCKET: SOCKET, MCP_HTTP_MAX_SESSIONS: "8" },
    });
    url = net.mcpUrls["incus-mcp"] as string;
  });
  afterAll(() => net?.close());

  const initialize = (headers: Record<string, string>) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
      }),
    });

  it("eight made-up tokens get 401 saying the socket does not authenticate by token; no slot is taken", async () => {
    for (let i = 0; i < 8; i++) {
      const r = await initialize({ "X-Incus-Token": `made-up-token-${i}-${Date.now()}` });
      const text = await r.text();
      expect(r.status, text).toBe(401);
      expect(text).toMatch(/x-incus-token header was refused.*through \\"unix\\", not the token/);
    }
    expect(net.endpoints[0]?.sessionCount).toBe(0);
    // Without the header the server's own access still opens a session.
    const own = await initialize({});
    expect(own.status).toBe(200);
    expect(net.endpoints[0]?.sessionCount).toBe(1);
  });
});
