import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type NetworkHandle, serveNetwork } from "@infra-mcp/core/network";
import { LOOPBACK_TEST_NETWORK, textOf } from "@infra-mcp/core/testing";
import {
  PUBLIC_CLIENT,
  SHORT_CLIENT,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from "@infra-mcp/core/testing/oidc";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { decodeJwt } from "jose";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incusVendor } from "../src/index.js";
import { connect, gate, INSTANCE, structured } from "./helpers.js";

/**
 * INCUS_TOKEN against the real daemon trusting a real OpenID provider: `oidc.issuer`,
 * `oidc.client.id` and `oidc.audience` point the daemon at the provider this test starts on
 * loopback (plain HTTP is accepted for the issuer, so no CA setup is needed), tokens come from the
 * provider's token endpoint, and the daemon's oidc.* settings are put back afterwards. Only the
 * oidc.* keys are touched: unix-socket and certificate access keep working throughout.
 */
const HTTPS = "https://127.0.0.1:8443";
const SERVER_CERT = "/var/lib/incus/server.crt";
// With the trailing slash a client's URL-typed resource indicator gets (the daemon compares exactly).
const INCUS_AUDIENCE = "https://incus.oidc-test.example/";
const OIDC_KEYS = ["oidc.issuer", "oidc.client.id", "oidc.audience"] as const;

// Async on purpose: setting oidc.issuer makes the daemon call the provider, which runs in this process.
const run = promisify(execFile);
const incusAsync = async (...args: string[]) => (await run("incus", args, { timeout: 30_000 })).stdout.trim();

describe.skipIf(gate.skip)("INCUS_TOKEN with the real daemon trusting a real OpenID provider", () => {
  let idp: TestIdentityProvider;
  const previous = new Map<string, string>();

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    for (const key of OIDC_KEYS) previous.set(key, await incusAsync("config", "get", key));
    await incusAsync(
      "config",
      "set",
      `oidc.issuer=${idp.issuer}`,
      `oidc.client.id=${PUBLIC_CLIENT.id}`,
      `oidc.audience=${INCUS_AUDIENCE}`,
    );
  }, 60_000);

  afterAll(async () => {
    for (const key of OIDC_KEYS) {
      const value = previous.get(key) ?? "";
      await (value ? incusAsync("config", "set", `${key}=${value}`) : incusAsync("config", "unset", key)).catch(
        () => {},
      );
    }
    await idp?.close();
  }, 60_000);

  const env = (token: string) => ({ INCUS_URL: HTTPS, INCUS_TOKEN: token, INCUS_SERVER_CERT: SERVER_CERT });

  it("a client-credentials token from the provider lets incus-mcp list instances and exec", async () => {
    const token = await idp.clientCredentials({ resource: INCUS_AUDIENCE, scope: "mcp:read" });
    const c = await connect(env(token));
    try {
      const listed = structured<{ instances: { name: string }[] }>(await c.call("list-instances", {}));
      expect(listed.instances.map((i) => i.name)).toContain(INSTANCE);
      const ran = await c.call("exec-in-instance", { instance: INSTANCE, command: ["echo", "signed-in"] });
      expect(ran.isError).toBeFalsy();
      expect(textOf(ran)).toContain("signed-in");
      expect(textOf(ran)).not.toContain(token);
    } finally {
      await c.close();
    }
  });

  it("a user's token (authorization code + PKCE) is the identity the daemon sees", async () => {
    const token = await idp.authorizationCode({ resource: INCUS_AUDIENCE, scope: "mcp:read", user: "erin" });
    expect(decodeJwt(token).sub).toBe("erin");
    const agent = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const res = await undiciFetch(`${HTTPS}/1.0`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: agent,
      });
      const body = (await res.json()) as {
        metadata: { auth: string; auth_user_name?: string; auth_user_method?: string };
      };
      expect(body.metadata.auth).toBe("trusted");
      expect(body.metadata.auth_user_method).toBe("oidc");
      expect(body.metadata.auth_user_name).toBe("erin");
    } finally {
      await agent.close();
    }
    const c = await connect(env(token));
    try {
      expect(
        structured<{ instances: { name: string }[] }>(await c.call("list-instances", {})).instances.length,
      ).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it("an expired token gives a clear error naming the rejected credential, not a crash", async () => {
    const token = await idp.clientCredentials({ resource: INCUS_AUDIENCE, scope: "mcp:read", client: SHORT_CLIENT });
    const exp = decodeJwt(token).exp ?? 0;
    while (Date.now() / 1000 <= exp + 1) await new Promise((r) => setTimeout(r, 200));
    const c = await connect(env(token));
    try {
      const r = await c.call("list-instances", {});
      expect(r.isError).toBe(true);
      const text = textOf(r);
      expect(text).toMatch(/401/);
      expect(text).toMatch(/token has expired/);
      expect(text).toMatch(/credential was rejected/);
      expect(text).not.toContain(token);
    } finally {
      await c.close();
    }
  });

  it("a token for another audience is refused by the daemon", async () => {
    const token = await idp.clientCredentials({ resource: "https://not-incus.example/", scope: "mcp:read" });
    const c = await connect(env(token));
    try {
      const r = await c.call("list-instances", {});
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/audience/);
    } finally {
      await c.close();
    }
  });

  it("over HTTP, X-Incus-Token is proven at initialize: eight made-up tokens get 401 and no slot, a signed-in user gets a session", async () => {
    const serverToken = await idp.clientCredentials({ resource: INCUS_AUDIENCE, scope: "mcp:read" });
    const net: NetworkHandle = await serveNetwork([incusVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { ...env(serverToken), MCP_HTTP_MAX_SESSIONS: "8" },
    });
    const url = net.mcpUrls["incus-mcp"] as string;
    try {
      // Made-up values, and a real JWT from a provider the daemon does not trust.
      const other = await startTestIdentityProvider();
      const foreign = await other.clientCredentials({ resource: INCUS_AUDIENCE, scope: "mcp:read" });
      await other.close();
      const made = [...Array.from({ length: 7 }, (_, i) => `made-up-incus-token-${i}-${Date.now()}`), foreign];
      for (const garbage of made) {
        const r = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "X-Incus-Token": garbage,
          },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "initialize",
            params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
          }),
        });
        const text = await r.text();
        expect(r.status, text).toBe(401);
        expect(text).toMatch(/x-incus-token header was refused/);
        expect(text).not.toContain(garbage);
      }
      expect(net.endpoints[0]?.sessionCount).toBe(0);

      const token = await idp.authorizationCode({ resource: INCUS_AUDIENCE, scope: "mcp:read", user: "frank" });
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { "X-Incus-Token": token } },
      });
      const client = new Client({ name: "incus-http-test", version: "0.0.0" });
      await client.connect(transport);
      try {
        expect(transport.sessionId).toBeTruthy();
        const listed = (await client.callTool({ name: "list-instances", arguments: {} })) as CallToolResult;
        expect(listed.isError, textOf(listed)).toBeFalsy();
        expect(textOf(listed)).toContain(INSTANCE);
      } finally {
        await client.close();
      }
    } finally {
      await net.close();
    }
  }, 60_000);
});
