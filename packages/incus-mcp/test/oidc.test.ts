import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { textOf } from "@infra-mcp/core/testing";
import {
  PUBLIC_CLIENT,
  SHORT_CLIENT,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from "@infra-mcp/core/testing/oidc";
import { decodeJwt } from "jose";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
