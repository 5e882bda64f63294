import type { IncomingMessage, ServerResponse } from "node:http";
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/shared/auth.js";
import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { ConfigError } from "../../base/errors.js";
import { log } from "../../base/logger.js";
import type { OAuthSettings } from "./oauth-settings.js";
import {
  describeVerifyError,
  identityOf,
  isAccessTokenType,
  type OAuthRefusal,
  type Principal,
  type RequestAccess,
  scopesOf,
  shownType,
} from "./oauth-tokens.js";
import { sendJson } from "./problem.js";

export {
  DEFAULT_READ_SCOPE,
  DEFAULT_WRITE_SCOPE,
  type OAuthSettings,
  oauthSettingsFromEnv,
} from "./oauth-settings.js";
export type { OAuthRefusal, Principal, RequestAccess } from "./oauth-tokens.js";

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
