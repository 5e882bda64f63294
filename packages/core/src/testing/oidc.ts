/**
 * A real OpenID provider (the `oidc-provider` package) on loopback for the OAuth suites: JWT
 * access tokens for a resource indicator (RFC 8707), client credentials, and the
 * authorization-code flow with PKCE, driven the way a client and a browser would. Test-only:
 * `oidc-provider` is a dev dependency of core, so only test code may import this entry.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import {
  discoverAuthorizationServerMetadata,
  exchangeAuthorization,
  startAuthorization,
} from "@modelcontextprotocol/sdk/client/auth.js";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";
import { Browser, readText } from "./oidc-browser.js";

export const SERVICE_CLIENT = { id: "mcp-service", secret: "service-secret-0123456789abcdef" };
/** A service client whose access tokens live one second (to get a genuinely expired token). */
export const SHORT_CLIENT = { id: "mcp-short-lived", secret: "short-secret-0123456789abcdef" };
/** A public client signing users in with the authorization code and PKCE, as the MCP Inspector does. */
export const PUBLIC_CLIENT = { id: "mcp-inspector", redirectUri: "http://127.0.0.1:6274/oauth/callback" };

export interface TestIdentityProviderOptions {
  /** Scopes a resource server may be granted (default mcp:read mcp:write). */
  scopes?: readonly string[];
  /** Serve over TLS with this certificate (PEM) and key. */
  tls?: { cert: string; key: string };
  /** Host name in the issuer URL (default 127.0.0.1). */
  hostname?: string;
}

export interface TestIdentityProvider {
  /** The issuer identifier, e.g. http://127.0.0.1:41234 */
  readonly issuer: string;
  /** Requests the key set was served for (what a resource server fetched). */
  readonly jwksFetches: number;
  /** client_credentials grant with a resource indicator → a JWT access token for that audience. */
  clientCredentials(options: {
    resource: string;
    scope: string;
    client?: { id: string; secret: string };
  }): Promise<string>;
  /** Authorization code + PKCE for `user`: the client's requests, the browser's redirects, login and consent. */
  authorizationCode(options: { resource: string; scope: string; user: string }): Promise<string>;
  /**
   * Signs claims with the provider's own signing key (tokens the provider itself would never issue).
   * `typ` is the JOSE header's (default "at+jwt"; null leaves it out).
   */
  sign(
    claims: JWTPayload,
    options?: { expiresIn?: string | number; notBefore?: number; typ?: string | null },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIdentityProvider(
  options: TestIdentityProviderOptions = {},
): Promise<TestIdentityProvider> {
  const scopes = options.scopes ?? ["mcp:read", "mcp:write"];
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: "RS256", use: "sig" };

  // The listener first: the issuer URL needs its port.
  let callback: http.RequestListener = (_req, res) => res.end();
  let jwksFetches = 0;
  const listener: http.RequestListener = (req, res) => {
    if ((req.url ?? "").split("?")[0] === "/jwks") jwksFetches++;
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (/^\/interaction\/[^/]+$/.test(path) && req.method === "GET") {
      // The login/consent "page": what the provider is asking for.
      void provider
        .interactionDetails(req, res)
        .then((details) => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ prompt: details.prompt.name }));
        })
        .catch((error: unknown) => {
          res.statusCode = 400;
          res.end(String(error));
        });
      return;
    }
    const interaction = /^\/interaction\/([^/]+)\/(login|confirm)$/.exec(path);
    if (interaction && req.method === "POST") {
      void finishInteraction(req, res, interaction[2] as "login" | "confirm").catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `${options.tls ? "https" : "http"}://${hostname}:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: SERVICE_CLIENT.id,
        client_secret: SERVICE_CLIENT.secret,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: SHORT_CLIENT.id,
        client_secret: SHORT_CLIENT.secret,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: PUBLIC_CLIENT.id,
        token_endpoint_auth_method: "none",
        application_type: "native",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        redirect_uris: [PUBLIC_CLIENT.redirectUri],
      },
    ],
    jwks: { keys: [signingJwk] },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // A request without a resource indicator gets an opaque token no resource server accepts.
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextWithOIDC, resource: string, client) => ({
          scope: scopes.join(" "),
          audience: resource,
          accessTokenFormat: "jwt",
          accessTokenTTL: client.clientId === SHORT_CLIENT.id ? 1 : 600,
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    pkce: { required: () => true },
  });
  // Quiet: the provider's own error events would only add noise to test output.
  provider.on("server_error", () => {});
  callback = provider.callback();

  async function finishInteraction(req: http.IncomingMessage, res: http.ServerResponse, step: "login" | "confirm") {
    const details = await provider.interactionDetails(req, res);
    if (step === "login") {
      const form = new URLSearchParams(await readText(req));
      const login = form.get("login");
      if (!login) throw new Error("login form without a user");
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      return;
    }
    const { prompt, params, session } = details;
    const grant = new provider.Grant({ accountId: session?.accountId ?? "", clientId: String(params.client_id) });
    const missing = prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    for (const [indicator, granted] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, granted.join(" "));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const tokenEndpoint = `${issuer}/token`;

  return {
    issuer,
    get jwksFetches() {
      return jwksFetches;
    },
    async clientCredentials({ resource, scope, client = SERVICE_CLIENT }) {
      const res = await fetch(tokenEndpoint, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "client_credentials", scope, resource }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!res.ok || !body.access_token)
        throw new Error(`token endpoint: ${res.status} ${body.error}: ${body.error_description}`);
      return body.access_token;
    },
    async authorizationCode({ resource, scope, user }) {
      const metadata = await discoverAuthorizationServerMetadata(issuer);
      if (!metadata) throw new Error("no metadata");
      const { authorizationUrl, codeVerifier } = await startAuthorization(issuer, {
        metadata,
        clientInformation: { client_id: PUBLIC_CLIENT.id },
        redirectUrl: PUBLIC_CLIENT.redirectUri,
        scope,
        state: "state-0123456789",
        resource: new URL(resource),
      });
      const browser = new Browser();
      // /auth → login interaction → /auth (resume) → consent interaction → /auth (resume) → redirect_uri?code=
      let location = await browser.get(authorizationUrl.href);
      for (let step = 0; step < 8 && !location.startsWith(PUBLIC_CLIENT.redirectUri); step++) {
        const uid = /\/interaction\/([^/?]+)$/.exec(new URL(location, issuer).pathname)?.[1];
        if (uid) {
          const page = JSON.parse(await browser.getText(new URL(location, issuer).href)) as { prompt: string };
          const which = page.prompt === "login" ? "login" : "confirm";
          location = await browser.post(
            `${issuer}/interaction/${uid}/${which}`,
            which === "login" ? { login: user } : {},
          );
        } else {
          location = await browser.get(new URL(location, issuer).href);
        }
      }
      const redirect = new URL(location);
      const code = redirect.searchParams.get("code");
      if (!code) throw new Error(`no code in ${location}`);
      const tokens = await exchangeAuthorization(issuer, {
        metadata,
        clientInformation: { client_id: PUBLIC_CLIENT.id },
        authorizationCode: code,
        codeVerifier,
        redirectUri: PUBLIC_CLIENT.redirectUri,
        resource: new URL(resource),
      });
      return tokens.access_token;
    },
    async sign(claims, { expiresIn = "10m", notBefore, typ = "at+jwt" } = {}) {
      const jwt = new SignJWT({ ...claims })
        .setProtectedHeader({ alg: "RS256", kid: signingJwk.kid ?? "", ...(typ === null ? {} : { typ }) })
        .setIssuedAt()
        .setExpirationTime(expiresIn);
      if (notBefore !== undefined) jwt.setNotBefore(notBefore);
      if (claims.iss === undefined) jwt.setIssuer(issuer);
      return jwt.sign(privateKey);
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
