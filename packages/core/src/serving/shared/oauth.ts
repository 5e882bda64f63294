import type { IncomingMessage, ServerResponse } from "node:http";
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/shared/auth.js";
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import type { Env } from "../../base/credentials.js";
import { ConfigError } from "../../base/errors.js";
import { log } from "../../base/logger.js";
import { sendJson } from "./problem.js";

/**
 * The HTTP transports as an OAuth 2.1 resource server (MCP authorization): JWT access tokens from
 * one issuer, checked with jose against the issuer's JWKS (fetched once, cached, refetched on an
 * unknown `kid`), for one audience; two scopes map to two access levels. Also serves the RFC 9728
 * protected resource metadata that tells a client where to sign in.
 *
 * The SDK's own helpers (requireBearerAuth, mcpAuthMetadataRouter) are Express middleware; these
 * transports are plain node:http, so this module keeps the SDK's metadata types and discovery
 * function and answers in the same shapes (RFC 6750 challenges, RFC 9728 metadata) itself.
 */
export interface OAuthSettings {
  /** MCP_OAUTH_ISSUER: the authorization server; tokens must carry exactly this `iss`. */
  issuer: string;
  /** MCP_OAUTH_AUDIENCE (default MCP_PUBLIC_URL): the resource tokens must be issued for (`aud`). */
  audience: string;
  /** MCP_OAUTH_JWKS_URL: the issuer's key set; otherwise found in the issuer's metadata. */
  jwksUrl?: string;
  /** MCP_OAUTH_READ_SCOPE: grants the read-only tools (readOnlyHint). */
  readScope: string;
  /** MCP_OAUTH_WRITE_SCOPE: grants every tool the server's flags allow. */
  writeScope: string;
  /** MCP_PUBLIC_URL: the origin clients reach this server at (for absolute metadata URLs). */
  publicUrl?: string;
  /**
   * MCP_OAUTH_ACCEPT_PLAIN_JWT: also accept tokens typed `JWT` (or untyped), for issuers that mint
   * their access tokens that way. Off: only RFC 9068 access tokens (`typ: at+jwt`) are accepted, so
   * an ID token or any other JWT the issuer signs cannot stand in for an access token.
   */
  acceptPlainJwt?: boolean;
}

export const DEFAULT_READ_SCOPE = "mcp:read";
export const DEFAULT_WRITE_SCOPE = "mcp:write";

/** What a verified token allows: who it is (the MCP session's identity) and which tools. */
export interface Principal {
  /**
   * `user:<sub>` for a token a user signed in for, `client:<client_id>` for one a client got for
   * itself (client credentials: no `sub`, or `sub` equal to the client id, RFC 9068 §2.2). The
   * prefix keeps the two namespaces apart: a client registered as "alice" is not the user alice.
   */
  subject: string;
  /** "read": readOnlyHint tools only; "write": everything the flags allow. */
  level: "read" | "write";
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** What the transports need to know about the caller of one request (OAuth or not). */
export interface RequestAccess {
  /** The identity an MCP session is bound to; a request from another subject gets 403. */
  subject?: string;
  /** Only readOnlyHint tools are listed and callable; others get 403 insufficient_scope. */
  readOnly: boolean;
  /** Headers for a 403 insufficient_scope answer (the challenge naming the scope to ask for). */
  insufficientScope(): Record<string, string>;
}

export interface OAuthRefusal {
  status: 401 | 403 | 503;
  /** RFC 6750 error code; absent when no token was sent at all. */
  error?: "invalid_token" | "invalid_request" | "insufficient_scope" | "temporarily_unavailable";
  description: string;
  headers: Record<string, string>;
}

const WELL_KNOWN = "/.well-known/oauth-protected-resource";
/** Signature algorithms accepted: asymmetric only, so a public key can never act as an HMAC secret. */
const ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

function setting(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function httpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${raw}".`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}".`);
  }
  return url;
}

/**
 * Settings from MCP_OAUTH_* and MCP_PUBLIC_URL; undefined when MCP_OAUTH_ISSUER is not set (then
 * any other MCP_OAUTH_* variable is a mistake worth naming).
 */
export function oauthSettingsFromEnv(env: Env = process.env): OAuthSettings | undefined {
  const issuer = setting(env, "MCP_OAUTH_ISSUER");
  if (!issuer) {
    const stray = [
      "MCP_OAUTH_AUDIENCE",
      "MCP_OAUTH_JWKS_URL",
      "MCP_OAUTH_READ_SCOPE",
      "MCP_OAUTH_WRITE_SCOPE",
      "MCP_OAUTH_ACCEPT_PLAIN_JWT",
    ].filter((n) => setting(env, n));
    if (stray.length) {
      throw new ConfigError(`${stray.join(", ")} set without MCP_OAUTH_ISSUER: set the issuer too, or unset them.`);
    }
    return undefined;
  }
  const issuerUrl = httpUrl("MCP_OAUTH_ISSUER", issuer);
  if (issuerUrl.search || issuerUrl.hash) {
    throw new ConfigError(`MCP_OAUTH_ISSUER must have no query or fragment, got "${issuer}".`);
  }
  const publicRaw = setting(env, "MCP_PUBLIC_URL");
  let publicUrl: string | undefined;
  if (publicRaw) {
    const u = httpUrl("MCP_PUBLIC_URL", publicRaw);
    if (u.pathname !== "/" || u.search || u.hash) {
      throw new ConfigError(
        `MCP_PUBLIC_URL must be the origin clients use (scheme://host[:port], no path), got "${publicRaw}".`,
      );
    }
    publicUrl = u.origin;
  }
  const audience = setting(env, "MCP_OAUTH_AUDIENCE") ?? publicUrl;
  if (!audience) {
    throw new ConfigError(
      "MCP_OAUTH_ISSUER is set but the resource tokens are issued for is not: set MCP_PUBLIC_URL (the URL clients use, e.g. https://mcp.example.com) or MCP_OAUTH_AUDIENCE.",
    );
  }
  const jwksUrl = setting(env, "MCP_OAUTH_JWKS_URL");
  if (jwksUrl) httpUrl("MCP_OAUTH_JWKS_URL", jwksUrl);
  const readScope = setting(env, "MCP_OAUTH_READ_SCOPE") ?? DEFAULT_READ_SCOPE;
  const writeScope = setting(env, "MCP_OAUTH_WRITE_SCOPE") ?? DEFAULT_WRITE_SCOPE;
  const acceptPlainJwt = flag(env, "MCP_OAUTH_ACCEPT_PLAIN_JWT");
  for (const [name, scope] of [
    ["MCP_OAUTH_READ_SCOPE", readScope],
    ["MCP_OAUTH_WRITE_SCOPE", writeScope],
  ] as const) {
    if (/\s|"/.test(scope))
      throw new ConfigError(`${name} must be one scope token (no spaces or quotes), got "${scope}".`);
  }
  return {
    issuer,
    audience,
    readScope,
    writeScope,
    ...(jwksUrl ? { jwksUrl } : {}),
    ...(publicUrl ? { publicUrl } : {}),
    ...(acceptPlainJwt ? { acceptPlainJwt } : {}),
  };
}

function flag(env: Env, name: string): boolean {
  const raw = setting(env, name)?.toLowerCase();
  if (raw === undefined || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${env[name]?.trim()}".`);
}

export interface ResourceServerOptions {
  /** Shown as resource_name in the metadata. */
  resourceName: string;
  /** MCP endpoint paths (/mcp, /incus/mcp …): each also gets the path-suffixed metadata URL. */
  mountPaths?: readonly string[];
  /** jose's refetch cool-down after a key-set fetch (ms); tests lower it to exercise rotation. */
  jwksCooldownMs?: number;
}

export class OAuthResourceServer {
  readonly settings: OAuthSettings;
  readonly #options: ResourceServerOptions;
  #keys: Promise<JWTVerifyGetKey> | undefined;
  readonly #audiences: string[];

  constructor(settings: OAuthSettings, options: ResourceServerOptions) {
    this.settings = settings;
    this.#options = options;
    // A resource indicator written as a URL may come back with or without one trailing slash.
    const a = settings.audience;
    this.#audiences = a.endsWith("/") ? [a, a.slice(0, -1)] : [a, `${a}/`];
  }

  /** Finds the key set now (so a wrong issuer shows in the log at start); failures retry on demand. */
  async prepare(): Promise<void> {
    try {
      await this.#keySet();
    } catch (error) {
      log.error("OAuth issuer not usable yet; requests get 503 until it is", {
        issuer: this.settings.issuer,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #keySet(): Promise<JWTVerifyGetKey> {
    this.#keys ??= this.#discover().catch((error: unknown) => {
      this.#keys = undefined;
      throw error;
    });
    return this.#keys;
  }

  async #discover(): Promise<JWTVerifyGetKey> {
    const { issuer, jwksUrl } = this.settings;
    let keysAt = jwksUrl;
    if (!keysAt) {
      const metadata = await discoverAuthorizationServerMetadata(issuer);
      if (!metadata) {
        throw new ConfigError(
          `No authorization server metadata for ${issuer} (tried oauth-authorization-server and openid-configuration); check MCP_OAUTH_ISSUER or set MCP_OAUTH_JWKS_URL.`,
        );
      }
      // RFC 8414 §3.3: metadata whose issuer differs from the one asked for must not be used.
      if (metadata.issuer !== issuer) {
        throw new ConfigError(
          `The metadata at ${issuer} names issuer "${metadata.issuer}"; set MCP_OAUTH_ISSUER to exactly that.`,
        );
      }
      keysAt = typeof metadata.jwks_uri === "string" ? metadata.jwks_uri : undefined;
      if (!keysAt) throw new ConfigError(`The metadata of ${issuer} has no jwks_uri; set MCP_OAUTH_JWKS_URL.`);
    }
    log.info("OAuth resource server ready", { issuer, audience: this.settings.audience, jwks: keysAt });
    return createRemoteJWKSet(new URL(keysAt), {
      ...(this.#options.jwksCooldownMs !== undefined ? { cooldownDuration: this.#options.jwksCooldownMs } : {}),
    });
  }

  /** The absolute metadata URL for a mount path (or the root form), as a client should fetch it. */
  metadataUrl(req: IncomingMessage, mountPath?: string): string {
    const base = this.settings.publicUrl ?? `http://${req.headers.host ?? "localhost"}`;
    return new URL(`${WELL_KNOWN}${mountPath ?? ""}`, base).href;
  }

  metadata(): OAuthProtectedResourceMetadata {
    const { audience, issuer, readScope, writeScope } = this.settings;
    return {
      resource: audience,
      authorization_servers: [issuer],
      scopes_supported: [...new Set([readScope, writeScope])],
      bearer_methods_supported: ["header"],
      resource_name: this.#options.resourceName,
    };
  }

  /**
   * Answers GET /.well-known/oauth-protected-resource and its path-suffixed forms (/mcp …).
   * Returns false when the path is not a metadata path.
   */
  serveMetadata(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (path !== WELL_KNOWN && !path.startsWith(`${WELL_KNOWN}/`)) return false;
    const suffix = path.slice(WELL_KNOWN.length);
    if (suffix && !(this.#options.mountPaths ?? []).includes(suffix)) {
      sendJson(res, 404, { error: "not_found", error_description: `No protected resource at ${suffix}.` });
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJson(res, 405, { error: "method_not_allowed" }, { allow: "GET, HEAD" });
      return true;
    }
    // Public by design (RFC 9728): browser-based clients read it cross-origin.
    sendJson(res, 200, this.metadata(), { "access-control-allow-origin": "*", "cache-control": "max-age=300" });
    return true;
  }

  /** The RFC 6750 challenge, always naming where the metadata is. */
  challenge(
    req: IncomingMessage,
    mountPath: string | undefined,
    error?: OAuthRefusal["error"],
    description?: string,
    scope?: string,
  ): string {
    const parts = [`resource_metadata="${this.metadataUrl(req, mountPath)}"`];
    if (error) parts.push(`error="${error}"`);
    if (description) parts.push(`error_description="${description.replace(/["\\]/g, "'")}"`);
    if (scope) parts.push(`scope="${scope}"`);
    return `Bearer ${parts.join(", ")}`;
  }

  /** Verifies the request's bearer token. The token itself is never logged or kept. */
  async authenticate(
    req: IncomingMessage,
    mountPath?: string,
  ): Promise<{ ok: true; principal: Principal; access: RequestAccess } | { ok: false; refusal: OAuthRefusal }> {
    const refuse = (
      status: OAuthRefusal["status"],
      error: OAuthRefusal["error"] | undefined,
      description: string,
      scope?: string,
    ) => ({
      ok: false as const,
      refusal: {
        status,
        ...(error ? { error } : {}),
        description,
        headers: {
          "www-authenticate": this.challenge(req, mountPath, error, error ? description : undefined, scope),
        } as Record<string, string>,
      },
    });
    const header = req.headers.authorization?.trim();
    if (!header) {
      return refuse(
        401,
        undefined,
        "This server needs an OAuth access token: Authorization: Bearer <token>. The resource_metadata URL in WWW-Authenticate names the authorization server.",
      );
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) return refuse(401, "invalid_request", 'The Authorization header must be "Bearer <token>".');
    const token = m[1];

    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      return refuse(401, "invalid_token", "The access token is not a JWT.");
    }
    if (!algorithm || algorithm.toLowerCase() === "none") {
      return refuse(
        401,
        "invalid_token",
        'The access token is unsigned (alg "none"); only signed tokens are accepted.',
      );
    }

    let keys: JWTVerifyGetKey;
    try {
      keys = await this.#keySet();
    } catch (error) {
      const refusal = refuse(
        503,
        "temporarily_unavailable",
        `The authorization server's keys cannot be loaded: ${error instanceof Error ? error.message : String(error)}`,
      );
      refusal.refusal.headers["retry-after"] = "5";
      return refusal;
    }
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      let protectedHeader: { typ?: string | undefined };
      ({ payload, protectedHeader } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.#audiences,
        algorithms: ALGORITHMS,
        requiredClaims: ["exp"],
      }));
      typ = protectedHeader.typ;
    } catch (error) {
      const failure = describeVerifyError(error, this.settings);
      if (failure.unavailable) {
        const refusal = refuse(503, "temporarily_unavailable", failure.text);
        refusal.refusal.headers["retry-after"] = "5";
        return refusal;
      }
      return refuse(401, "invalid_token", failure.text);
    }

    if (!isAccessTokenType(typ, this.settings.acceptPlainJwt === true)) {
      return refuse(
        401,
        "invalid_token",
        `The token is typed ${shownType(typ)}, not an access token ("at+jwt", RFC 9068). If your issuer mints plain JWT access tokens, the operator can set MCP_OAUTH_ACCEPT_PLAIN_JWT=1.`,
      );
    }
    const subject = identityOf(payload);
    if (!subject)
      return refuse(401, "invalid_token", "The access token names no subject (sub) and no client (client_id).");
    const scopes = scopesOf(payload);
    const { readScope, writeScope } = this.settings;
    const level = scopes.has(writeScope) ? "write" : scopes.has(readScope) ? "read" : undefined;
    if (!level) {
      return refuse(
        403,
        "insufficient_scope",
        `The access token grants neither "${readScope}" (read-only tools) nor "${writeScope}" (all tools).`,
        readScope,
      );
    }
    const principal: Principal = { subject, level, expiresAt: payload.exp ?? 0 };
    const access: RequestAccess = {
      subject,
      readOnly: level === "read",
      insufficientScope: () => ({
        "www-authenticate": this.challenge(
          req,
          mountPath,
          "insufficient_scope",
          `This tool needs the "${writeScope}" scope.`,
          writeScope,
        ),
      }),
    };
    return { ok: true, principal, access };
  }
}

function clientIdOf(payload: JWTPayload): string | undefined {
  const id = payload.client_id ?? payload.azp;
  return typeof id === "string" && id ? id : undefined;
}

/**
 * Who a token speaks for, namespaced: a user (`user:<sub>`) or a client acting for itself
 * (`client:<client_id>`). A client-credentials token has no user: RFC 9068 §2.2 has it carry no
 * `sub` or the client's own id as `sub`; both are the client. Sessions and per-client shares are
 * keyed by this, so a client named like a user never reaches that user's session.
 */
function identityOf(payload: JWTPayload): string | undefined {
  const sub = typeof payload.sub === "string" && payload.sub ? payload.sub : undefined;
  const client = clientIdOf(payload);
  if (sub !== undefined && sub !== client) return `user:${sub}`;
  return client !== undefined ? `client:${client}` : undefined;
}

/** The token's `typ` as an error may quote it (it is the caller's text: only plain media-type characters). */
function shownType(typ: string | undefined): string {
  if (typ === undefined) return "(no typ)";
  return /^[\w.+/-]{1,40}$/.test(typ) ? `"${typ}"` : "(an unusual typ)";
}

/**
 * RFC 9068 §4: an access token's JOSE `typ` is `at+jwt` (the media type, with or without its
 * `application/` prefix, compared case-insensitively, RFC 7515 §4.1.9). With the operator's
 * switch, `JWT` and an absent `typ` (how some issuers mint access tokens) pass too.
 */
function isAccessTokenType(typ: string | undefined, acceptPlainJwt: boolean): boolean {
  const t = typ?.toLowerCase().replace(/^application\//, "");
  if (t === "at+jwt") return true;
  return acceptPlainJwt && (t === undefined || t === "jwt");
}

/** `scope` (RFC 9068, space-separated) or `scp` (an array, as some providers issue). */
function scopesOf(payload: JWTPayload): Set<string> {
  const out = new Set<string>();
  if (typeof payload.scope === "string") for (const s of payload.scope.split(" ")) if (s) out.add(s);
  const scp = payload.scp;
  if (Array.isArray(scp)) {
    for (const s of scp) if (typeof s === "string") out.add(s);
  } else if (typeof scp === "string") {
    for (const s of scp.split(" ")) if (s) out.add(s);
  }
  return out;
}

/** jose's failure, said so a user can tell which check failed and what to change. */
function describeVerifyError(error: unknown, settings: OAuthSettings): { text: string; unavailable?: boolean } {
  if (error instanceof joseErrors.JWTExpired) {
    const exp = typeof error.payload.exp === "number" ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : "";
    return { text: `The access token expired${exp}; get a new one.` };
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "nbf":
        return { text: "The access token is not yet valid (nbf is in the future)." };
      case "iat":
        return { text: "The access token was issued in the future (iat)." };
      case "aud":
        return {
          text: `The access token was issued for another audience; this server accepts "${settings.audience}".`,
        };
      case "iss":
        return { text: `The access token comes from another issuer; this server trusts "${settings.issuer}".` };
      case "exp":
        return { text: "The access token has no expiry (exp); it is refused." };
      default:
        return { text: `The access token's "${error.claim}" claim is invalid (${error.reason}).` };
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return { text: "The access token's signature does not verify against the issuer's keys." };
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return { text: "The access token is signed with a key the issuer does not publish." };
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return { text: "The access token's signature algorithm is not accepted (asymmetric algorithms only)." };
  }
  if (error instanceof joseErrors.JWKSTimeout) {
    return { text: "The authorization server's key set did not answer in time.", unavailable: true };
  }
  if (error instanceof joseErrors.JWKSInvalid) {
    return { text: "The authorization server's key set is not valid JSON Web Keys.", unavailable: true };
  }
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) {
    return { text: `The access token is malformed (${error.message}).` };
  }
  if (error instanceof joseErrors.JOSEError) {
    return { text: `The access token is refused (${error.code}).` };
  }
  // Anything else is the key-set fetch failing (network), not the token.
  return {
    text: `The authorization server's key set cannot be fetched: ${error instanceof Error ? error.message : String(error)}`,
    unavailable: true,
  };
}
