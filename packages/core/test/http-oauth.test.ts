import http from "node:http";
import type { AddressInfo } from "node:net";
import { discoverOAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { OAuthProtectedResourceMetadataSchema } from "@modelcontextprotocol/sdk/shared/auth.js";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ConfigError } from "../src/base/errors.js";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { NetworkGuard } from "../src/serving/shared/guard.js";
import { OAuthResourceServer, oauthSettingsFromEnv } from "../src/serving/shared/oauth.js";
import { LOOPBACK_TEST_NETWORK } from "../src/testing/index.js";
import { SHORT_CLIENT, startTestIdentityProvider, type TestIdentityProvider } from "../src/testing/oidc.js";
import { anyFake } from "./fixtures/fake-vendor.js";

/**
 * The HTTP transports as an OAuth resource server, against a real OpenID provider on loopback:
 * tokens come from its token endpoint (client credentials with a resource indicator, and the
 * authorization code with PKCE through its login and consent interactions).
 */
const AUDIENCE = "https://mcp.test.example";
const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
};

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** One JSON-RPC POST; an SSE answer is reduced to its first message. */
async function rpc(url: string, token: string | undefined, message: unknown, sid?: string): Promise<Answer> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(sid ? { "mcp-session-id": sid } : {}),
    },
    body: JSON.stringify(message),
  });
  const text = await res.text();
  const data = res.headers.get("content-type")?.includes("text/event-stream")
    ? (/^data: (.*)$/m.exec(text)?.[1] ?? "{}")
    : text || "{}";
  return { status: res.status, headers: res.headers, body: JSON.parse(data) as Record<string, unknown> };
}

async function get(url: string, token?: string): Promise<Answer> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function connect(
  url: string,
  token: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "oauth-test", version: "0" });
  await client.connect(transport);
  return { client, transport };
}

/** The status a websocket upgrade gets (101 when it opens). */
async function upgradeStatus(url: string, token: string): Promise<number> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const status = await new Promise<number>((resolve) => {
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("open", () => resolve(101));
    ws.on("error", () => resolve(0));
  });
  ws.terminate();
  return status;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Waits (on the clock, not a fixed delay) until a token's exp is in the past. */
async function untilExpired(token: string): Promise<void> {
  const exp = decodeJwt(token).exp ?? 0;
  while (Date.now() / 1000 <= exp + 1) await new Promise((r) => setTimeout(r, 200));
}

describe("OAuth resource server over a real OpenID provider", () => {
  let idp: TestIdentityProvider;
  let other: TestIdentityProvider;
  let net: NetworkHandle;
  let mcpUrl: string;
  let restUrl: string;
  let mcpOrigin: string;
  let readToken: string;
  let writeToken: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    [idp, other] = await Promise.all([startTestIdentityProvider(), startTestIdentityProvider()]);
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: true,
      env: { MCP_OAUTH_ISSUER: idp.issuer, MCP_OAUTH_AUDIENCE: AUDIENCE },
    });
    mcpUrl = net.mcpUrls["fake-mcp"] ?? "";
    mcpOrigin = new URL(mcpUrl).origin;
    restUrl = net.restUrl ?? "";
    [readToken, writeToken, alice, bob] = await Promise.all([
      idp.clientCredentials({ resource: AUDIENCE, scope: "mcp:read" }),
      idp.clientCredentials({ resource: AUDIENCE, scope: "mcp:write" }),
      idp.authorizationCode({ resource: AUDIENCE, scope: "mcp:read mcp:write", user: "alice" }),
      idp.authorizationCode({ resource: AUDIENCE, scope: "mcp:read mcp:write", user: "bob" }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await net?.close();
    await Promise.all([idp?.close(), other?.close()]);
  });

  it("serves RFC 9728 protected resource metadata at the root and path-suffixed URLs, on both ports", async () => {
    for (const url of [
      `${mcpOrigin}/.well-known/oauth-protected-resource`,
      `${mcpOrigin}/.well-known/oauth-protected-resource/mcp`,
      `${restUrl}/.well-known/oauth-protected-resource`,
    ]) {
      const r = await get(url);
      expect(r.status, url).toBe(200);
      const metadata = OAuthProtectedResourceMetadataSchema.parse(r.body);
      expect(metadata).toMatchObject({
        resource: AUDIENCE,
        authorization_servers: [idp.issuer],
        scopes_supported: ["mcp:read", "mcp:write"],
        bearer_methods_supported: ["header"],
        resource_name: "Fake MCP server",
      });
    }
    expect((await get(`${mcpOrigin}/.well-known/oauth-protected-resource/elsewhere`)).status).toBe(404);
    // What an MCP client does first: the SDK's own discovery finds it from the endpoint URL.
    const found = await discoverOAuthProtectedResourceMetadata(mcpUrl);
    expect(found.authorization_servers).toEqual([idp.issuer]);
  });

  it("answers a request without a token with 401 and a challenge naming the metadata", async () => {
    const mcp = await rpc(mcpUrl, undefined, INIT);
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${mcpOrigin}/.well-known/oauth-protected-resource/mcp"`,
    );
    const rest = await get(`${restUrl}/v1/add/2?b=3`);
    expect(rest.status).toBe(401);
    expect(rest.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${restUrl}/.well-known/oauth-protected-resource"`,
    );
    // The liveness probe still needs no token.
    expect((await get(`${mcpOrigin}/healthz`)).body).toEqual({ status: "ok" });
  });

  it("refuses each bad token with 401 invalid_token naming what is wrong, on /mcp and /v1", async () => {
    const real = await idp.clientCredentials({ resource: AUDIENCE, scope: "mcp:read" });
    const [head, payload, signature] = real.split(".");
    const claims = decodeJwt(real);
    const tampered = `${head}.${b64url({ ...claims, scope: "mcp:read mcp:write" })}.${signature}`;
    const rogue = await generateKeyPair("RS256");
    const rogueToken = await new SignJWT({ sub: "mallory", scope: "mcp:write" })
      .setProtectedHeader({ alg: "RS256", kid: "rogue-key" })
      .setIssuer(idp.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(rogue.privateKey);
    const unsigned = `${b64url({ alg: "none", typ: "JWT" })}.${payload}.`;
    const short = await idp.clientCredentials({ resource: AUDIENCE, scope: "mcp:read", client: SHORT_CLIENT });

    const cases: [string, string, RegExp][] = [
      ["expired", short, /expired at \d{4}-/],
      [
        "not yet valid",
        await idp.sign(
          { sub: "alice", aud: AUDIENCE, scope: "mcp:read" },
          { notBefore: Math.floor(Date.now() / 1000) + 3600 },
        ),
        /not yet valid/,
      ],
      [
        "another audience",
        await idp.clientCredentials({ resource: "https://elsewhere.example", scope: "mcp:read" }),
        /another audience; this server accepts "https:\/\/mcp\.test\.example"/,
      ],
      [
        "another issuer (signed with this issuer's key)",
        await idp.sign({ iss: "https://impostor.example", sub: "alice", aud: AUDIENCE, scope: "mcp:read" }),
        /another issuer/,
      ],
      [
        "another provider's token",
        await other.clientCredentials({ resource: AUDIENCE, scope: "mcp:read" }),
        /key the issuer does not publish/,
      ],
      ["bad signature", tampered, /signature does not verify/],
      ["a key not in the JWKS", rogueToken, /key the issuer does not publish/],
      ["alg none", unsigned, /unsigned \(alg "none"\)/],
      ["not a JWT", "opaque-token-value", /not a JWT/],
    ];
    await untilExpired(short);
    for (const [name, token, detail] of cases) {
      for (const answer of [await rpc(mcpUrl, token, INIT), await get(`${restUrl}/v1/add/2?b=3`, token)]) {
        expect(answer.status, name).toBe(401);
        expect(answer.body.error, name).toBe("invalid_token");
        expect(String(answer.body.detail), name).toMatch(detail);
        const challenge = answer.headers.get("www-authenticate") ?? "";
        expect(challenge, name).toMatch(
          /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource/,
        );
        expect(challenge, name).toContain('error="invalid_token"');
        expect(challenge, name).toContain("error_description=");
      }
    }
  }, 30_000);

  it("read scope: write tools are not listed, and calling one gets 403 insufficient_scope (MCP and REST)", async () => {
    const { client, transport } = await connect(mcpUrl, readToken);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("add");
      expect(names).not.toContain("open-stream");
      expect(names).not.toContain("session-write");
      expect((await client.callTool({ name: "add", arguments: { a: 2, b: 3 } })).structuredContent).toMatchObject({
        sum: 5,
      });
      const call = await rpc(
        mcpUrl,
        readToken,
        { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "open-stream", arguments: { label: "x" } } },
        transport.sessionId,
      );
      expect(call.status).toBe(403);
      const challenge = call.headers.get("www-authenticate") ?? "";
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain('scope="mcp:write"');
      expect(challenge).toContain(`resource_metadata="${mcpOrigin}/.well-known/oauth-protected-resource/mcp"`);
      expect(JSON.stringify(call.body)).toMatch(/insufficient_scope/);
    } finally {
      await client.close();
    }

    expect((await get(`${restUrl}/v1/add/2?b=3`, readToken)).body).toMatchObject({ sum: 5 });
    const rest = await get(`${restUrl}/v1/stream?label=r`, readToken);
    expect(rest.status).toBe(403);
    expect(rest.body).toMatchObject({ error: "insufficient_scope", tool: "open-stream" });
    expect(rest.headers.get("www-authenticate")).toContain('error="insufficient_scope", error_description=');

    // A websocket upgrade on a write route is refused the same way, before any upstream is opened.
    expect(await upgradeStatus(`${restUrl.replace("http", "ws")}/v1/stream?label=w`, readToken)).toBe(403);
  });

  it("a token with neither scope is refused with 403 insufficient_scope naming the read scope", async () => {
    const token = await idp.sign({ sub: "carol", aud: AUDIENCE, scope: "profile" });
    const answer = await rpc(mcpUrl, token, INIT);
    expect(answer.status).toBe(403);
    expect(answer.headers.get("www-authenticate")).toContain('scope="mcp:read"');
  });

  it("write scope (a user signed in with the authorization code and PKCE) lists and calls everything", async () => {
    const { client } = await connect(mcpUrl, alice);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["add", "open-stream", "session-write", "session-close"]));
      const opened = await client.callTool({ name: "open-stream", arguments: { label: "alice-1" } });
      expect(opened.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    // The write scope passes the scope check: the upgrade reaches the tool's own hook (which has
    // no upstream websocket configured here, so 404), where the read scope got 403 above.
    expect(await upgradeStatus(`${restUrl.replace("http", "ws")}/v1/stream?label=rest-1`, writeToken)).toBe(404);
  });

  it("a session follows the scope of the token in hand (step-up from read to write)", async () => {
    const { client, transport } = await connect(mcpUrl, readToken);
    try {
      const list = { jsonrpc: "2.0", id: 3, method: "tools/list", params: {} };
      const before = await rpc(mcpUrl, readToken, list, transport.sessionId);
      const names = (r: Answer) => ((r.body.result as { tools: { name: string }[] }).tools ?? []).map((t) => t.name);
      expect(names(before)).not.toContain("open-stream");
      // Same subject (the service client), now with the write scope.
      const after = await rpc(mcpUrl, writeToken, list, transport.sessionId);
      expect(after.status).toBe(200);
      expect(names(after)).toContain("open-stream");
    } finally {
      await client.close();
    }
  });

  it("binds an MCP session to the token's subject: another user gets 403", async () => {
    const { client, transport } = await connect(mcpUrl, alice);
    try {
      const sid = transport.sessionId;
      const list = { jsonrpc: "2.0", id: 4, method: "tools/list", params: {} };
      const asBob = await rpc(mcpUrl, bob, list, sid);
      expect(asBob.status).toBe(403);
      expect(JSON.stringify(asBob.body)).toMatch(/opened by another user/);
      expect((await rpc(mcpUrl, undefined, list, sid)).status).toBe(401);
      expect((await rpc(mcpUrl, alice, list, sid)).status).toBe(200);
      // Still alice's after the refusals.
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it("accepts only access tokens (typ at+jwt, RFC 9068): a plain JWT or an untyped token is refused", async () => {
    const claims = { sub: "erin", aud: AUDIENCE, scope: "mcp:read" };
    for (const typ of ["JWT", null, "JOSE"] as const) {
      const token = await idp.sign(claims, { typ });
      for (const answer of [await rpc(mcpUrl, token, INIT), await get(`${restUrl}/v1/add/2?b=3`, token)]) {
        expect(answer.status, String(typ)).toBe(401);
        expect(answer.body.error, String(typ)).toBe("invalid_token");
        expect(String(answer.body.detail), String(typ)).toMatch(/not an access token \("at\+jwt", RFC 9068\)/);
        expect(String(answer.body.detail), String(typ)).toMatch(/MCP_OAUTH_ACCEPT_PLAIN_JWT/);
      }
    }
    for (const typ of ["at+jwt", "application/at+jwt", "AT+JWT"]) {
      const token = await idp.sign(claims, { typ });
      expect((await rpc(mcpUrl, token, INIT)).status, typ).toBe(200);
    }
    // The provider's own access tokens carry at+jwt, so they pass (as every test above shows).
  });

  it("keeps users and clients apart: a client named like a user never reaches that user's session", async () => {
    const { client, transport } = await connect(mcpUrl, alice);
    try {
      const sid = transport.sessionId;
      const list = { jsonrpc: "2.0", id: 5, method: "tools/list", params: {} };
      const scope = "mcp:read mcp:write";
      // Client credentials as RFC 9068 §2.2 allows them: no sub, or the client's own id as sub.
      for (const claims of [
        { client_id: "alice", aud: AUDIENCE, scope },
        { sub: "alice", client_id: "alice", aud: AUDIENCE, scope },
        { azp: "alice", aud: AUDIENCE, scope },
      ]) {
        const asClient = await rpc(mcpUrl, await idp.sign(claims), list, sid);
        expect(asClient.status, JSON.stringify(claims)).toBe(403);
        expect(JSON.stringify(asClient.body)).toMatch(/opened by another user/);
      }
      // The user alice through any client is still alice.
      const viaOtherClient = await idp.sign({ sub: "alice", client_id: "some-app", aud: AUDIENCE, scope });
      expect((await rpc(mcpUrl, viaOtherClient, list, sid)).status).toBe(200);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it("fetched the issuer's key set once for all of the above (cached, not per request)", () => {
    // Unknown kids (another provider's, a rogue key) may refetch once the cool-down allows; valid tokens never.
    expect(idp.jwksFetches).toBeGreaterThanOrEqual(1);
    expect(idp.jwksFetches).toBeLessThanOrEqual(2);
  });

  it("never writes a token into the log", async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      const { client } = await connect(mcpUrl, alice);
      await client.callTool({ name: "add", arguments: { a: 1 } });
      await client.close();
      await rpc(mcpUrl, `${alice}x`, INIT);
      await get(`${restUrl}/v1/fail/503`, alice);
    } finally {
      process.stderr.write = write;
    }
    expect(lines.length).toBeGreaterThan(0);
    const signature = alice.split(".")[2] ?? "";
    for (const line of lines) {
      expect(line).not.toContain(alice);
      expect(line).not.toContain(signature);
    }
  });
});

describe("OAuth configuration", () => {
  it("MCP_HTTP_TOKEN and MCP_OAUTH_ISSUER together refuse to start", async () => {
    await expect(
      serveNetwork([anyFake], {
        ...LOOPBACK_TEST_NETWORK,
        http: true,
        rest: false,
        env: {
          MCP_HTTP_TOKEN: "static-token-123456",
          MCP_OAUTH_ISSUER: "https://idp.example",
          MCP_PUBLIC_URL: "https://mcp.example",
        },
      }),
    ).rejects.toThrow(/MCP_HTTP_TOKEN and MCP_OAUTH_ISSUER are both set/);
  });

  it("names the missing or wrong variable", () => {
    expect(() => oauthSettingsFromEnv({ MCP_OAUTH_AUDIENCE: "x" })).toThrow(
      /MCP_OAUTH_AUDIENCE set without MCP_OAUTH_ISSUER/,
    );
    expect(() => oauthSettingsFromEnv({ MCP_OAUTH_ISSUER: "https://idp.example" })).toThrow(/set MCP_PUBLIC_URL/);
    expect(() => oauthSettingsFromEnv({ MCP_OAUTH_ISSUER: "idp" })).toThrow(ConfigError);
    expect(() =>
      oauthSettingsFromEnv({ MCP_OAUTH_ISSUER: "https://idp.example", MCP_PUBLIC_URL: "https://mcp.example/sub" }),
    ).toThrow(/MCP_PUBLIC_URL must be the origin/);
    expect(() =>
      oauthSettingsFromEnv({
        MCP_OAUTH_ISSUER: "https://idp.example",
        MCP_PUBLIC_URL: "https://mcp.example",
        MCP_OAUTH_WRITE_SCOPE: "a b",
      }),
    ).toThrow(/MCP_OAUTH_WRITE_SCOPE must be one scope/);
    expect(oauthSettingsFromEnv({})).toBeUndefined();
  });

  it("defaults the audience to MCP_PUBLIC_URL and the scopes to mcp:read / mcp:write", () => {
    expect(
      oauthSettingsFromEnv({
        MCP_OAUTH_ISSUER: "https://idp.example/realms/x",
        MCP_PUBLIC_URL: "https://mcp.example/",
      }),
    ).toEqual({
      issuer: "https://idp.example/realms/x",
      audience: "https://mcp.example",
      publicUrl: "https://mcp.example",
      readScope: "mcp:read",
      writeScope: "mcp:write",
    });
  });

  it("lets a non-loopback bind start with OAuth and no static token", () => {
    expect(() => new NetworkGuard({ host: "0.0.0.0" })).toThrow(/MCP_OAUTH_ISSUER/);
    expect(() => new NetworkGuard({ host: "0.0.0.0", oauth: true })).not.toThrow();
  });

  it("MCP_OAUTH_ACCEPT_PLAIN_JWT=1 lets an issuer's plain JWT access tokens in (off by default)", async () => {
    const base = { MCP_OAUTH_ISSUER: "https://idp.example", MCP_OAUTH_AUDIENCE: AUDIENCE };
    expect(oauthSettingsFromEnv(base)?.acceptPlainJwt).toBeUndefined();
    expect(oauthSettingsFromEnv({ ...base, MCP_OAUTH_ACCEPT_PLAIN_JWT: "1" })?.acceptPlainJwt).toBe(true);
    expect(() => oauthSettingsFromEnv({ ...base, MCP_OAUTH_ACCEPT_PLAIN_JWT: "yes" })).toThrow(
      /MCP_OAUTH_ACCEPT_PLAIN_JWT must be 1 or 0/,
    );
    const idp = await startTestIdentityProvider();
    const net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { MCP_OAUTH_ISSUER: idp.issuer, MCP_OAUTH_AUDIENCE: AUDIENCE, MCP_OAUTH_ACCEPT_PLAIN_JWT: "1" },
    });
    try {
      const url = net.mcpUrls["fake-mcp"] ?? "";
      const claims = { sub: "frank", aud: AUDIENCE, scope: "mcp:read" };
      expect((await rpc(url, await idp.sign(claims, { typ: "JWT" }), INIT)).status).toBe(200);
      expect((await rpc(url, await idp.sign(claims, { typ: null }), INIT)).status).toBe(200);
      expect((await rpc(url, await idp.sign(claims), INIT)).status).toBe(200);
      // Still only JWT-shaped types: anything else is not taken for an access token.
      expect((await rpc(url, await idp.sign(claims, { typ: "JOSE" }), INIT)).status).toBe(401);
    } finally {
      await net.close();
      await idp.close();
    }
  });

  it("an unreachable issuer gives 503 temporarily_unavailable, not a crash", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const server = new OAuthResourceServer(
      { issuer: `http://127.0.0.1:${port}`, audience: AUDIENCE, readScope: "r", writeScope: "w" },
      { resourceName: "t" },
    );
    const req = {
      headers: { host: "127.0.0.1", authorization: `Bearer ${b64url({ alg: "RS256" })}.${b64url({})}.c2ln` },
    };
    const out = await server.authenticate(req as unknown as http.IncomingMessage);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.refusal.status).toBe(503);
      expect(out.refusal.headers["www-authenticate"]).toContain('error="temporarily_unavailable"');
    }
  });
});

describe("the key set cache", () => {
  it("is fetched once, and again only for a key id it has not seen (rotation)", async () => {
    const first = await generateKeyPair("ES256", { extractable: true });
    const second = await generateKeyPair("ES256", { extractable: true });
    const jwk = async (k: KeyLike, kid: string) => ({ ...(await exportJWK(k)), kid, alg: "ES256", use: "sig" });
    let keys = [await jwk(first.publicKey, "k1")];
    let fetches = 0;
    const jwks = http.createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
    const issuer = "https://idp.rotation.example";
    const server = new OAuthResourceServer(
      {
        issuer,
        audience: AUDIENCE,
        jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
        readScope: "mcp:read",
        writeScope: "mcp:write",
      },
      { resourceName: "t", jwksCooldownMs: 0 },
    );
    const token = (key: KeyLike, kid: string) =>
      new SignJWT({ sub: "svc", scope: "mcp:read" })
        .setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" })
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setExpirationTime("5m")
        .sign(key);
    const request = (t: string) =>
      ({ headers: { host: "x", authorization: `Bearer ${t}` } }) as unknown as http.IncomingMessage;
    try {
      const t1 = await token(first.privateKey, "k1");
      for (let i = 0; i < 5; i++) expect((await server.authenticate(request(t1))).ok).toBe(true);
      expect(fetches).toBe(1);
      keys = [...keys, await jwk(second.publicKey, "k2")];
      expect((await server.authenticate(request(await token(second.privateKey, "k2")))).ok).toBe(true);
      expect(fetches).toBe(2);
      expect((await server.authenticate(request(t1))).ok).toBe(true);
      expect(fetches).toBe(2);
    } finally {
      await new Promise<void>((r) => jwks.close(() => r()));
    }
  });
});
