import type { Env } from "../../base/credentials.js";
import { ConfigError } from "../../base/errors.js";

/** The resource server's configuration: MCP_OAUTH_* and MCP_PUBLIC_URL, checked once at start. */

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
export function oauthSettingsFromEnv(env: Env): OAuthSettings | undefined {
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
