import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { type Env, readCredential } from "../../base/credentials.js";
import { digest } from "../../base/digest.js";
import { ConfigError } from "../../base/errors.js";
import { redactor } from "../../base/redact.js";
import { coreSetting } from "../../base/settings.js";

/**
 * The network guard shared by the MCP HTTP endpoint, the REST surface and /healthz: DNS-rebinding
 * defence (Host and Origin checked against loopback names unless configured otherwise), refusal
 * of requests a browser marks as coming from another site (Sec-Fetch-Site), and the bearer token
 * (mandatory off loopback).
 */
export interface GuardOptions {
  /** The address the server binds to. */
  host: string;
  /** MCP_HTTP_TOKEN: when set, every request needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Extra Host names accepted (MCP_HTTP_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
  /** Extra Origins accepted (MCP_HTTP_ALLOWED_ORIGINS), e.g. https://app.example. */
  allowedOrigins?: readonly string[];
  /** Requests are authenticated by OAuth (serving/shared/oauth.ts), so no static token is needed off loopback. */
  oauth?: boolean;
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1";
  return false;
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** Host header value without its port, lower-cased ("[::1]:9090" → "::1"). */
export function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const colon = h.indexOf(":");
  return colon >= 0 ? h.slice(0, colon) : h;
}

export interface GuardResult {
  ok: boolean;
  status?: number;
  title?: string;
  detail?: string;
}

function normalOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/$/, "");
}

export class NetworkGuard {
  readonly #tokenDigest: Buffer | undefined;
  readonly #hosts: Set<string> | undefined;
  readonly #origins: Set<string>;
  readonly #loopbackOnly: boolean;

  constructor(options: GuardOptions) {
    const token = options.token?.trim() || undefined;
    this.#loopbackOnly = isLoopbackHost(options.host);
    if (token && options.oauth) {
      throw new ConfigError(
        "MCP_HTTP_TOKEN and MCP_OAUTH_ISSUER are both set: use one (MCP_HTTP_TOKEN for a single shared token, MCP_OAUTH_ISSUER for team sign-in).",
      );
    }
    if (!this.#loopbackOnly && !token && !options.oauth) {
      throw new ConfigError(
        `Refusing to listen on non-loopback address ${options.host} without authentication: set MCP_HTTP_TOKEN (clients then send "Authorization: Bearer <token>") or MCP_OAUTH_ISSUER (team sign-in), or bind to 127.0.0.1.`,
      );
    }
    if (token) {
      redactor.add(token);
      this.#tokenDigest = digest(token);
    }
    const extraHosts = (options.allowedHosts ?? []).map((h) => hostnameOf(h)).filter(Boolean);
    if (this.#loopbackOnly) {
      this.#hosts = new Set([...LOOPBACK_NAMES, ...extraHosts]);
    } else if (extraHosts.length || !isWildcard(options.host)) {
      // A specific address (or configured names): only those, plus loopback for local probes.
      const bound = isWildcard(options.host) ? [] : [hostnameOf(options.host)];
      this.#hosts = new Set([...LOOPBACK_NAMES, ...bound, ...extraHosts]);
    } else {
      // 0.0.0.0 with no names configured: the bearer token is the defence (a rebinding page cannot know it).
      this.#hosts = undefined;
    }
    this.#origins = new Set((options.allowedOrigins ?? []).map(normalOrigin));
  }

  get requiresToken(): boolean {
    return this.#tokenDigest !== undefined;
  }

  /** Host, Sec-Fetch-Site, Origin and bearer checks; `skipAuth` only for the liveness probe. */
  check(req: IncomingMessage, options: { skipAuth?: boolean } = {}): GuardResult {
    const host = req.headers.host;
    if (this.#hosts) {
      if (!host || !this.#hosts.has(hostnameOf(host))) {
        return {
          ok: false,
          status: 403,
          title: "Forbidden host",
          detail: `Host "${host ?? ""}" is not allowed (DNS-rebinding protection); add it to MCP_HTTP_ALLOWED_HOSTS if intended.`,
        };
      }
    }
    const origin = req.headers.origin;
    const site = header(req, "sec-fetch-site")?.trim().toLowerCase();
    // A browser sends no Origin on a plain GET (an <img> or a link), but it does say where the
    // request comes from. Another site (even another port of localhost) may only come in with an
    // Origin the operator listed.
    if ((site === "cross-site" || site === "same-site") && !(origin && this.#origins.has(normalOrigin(origin)))) {
      return {
        ok: false,
        status: 403,
        title: "Forbidden cross-site request",
        detail: `A request a browser sent from another site (Sec-Fetch-Site: ${site}) is refused; list the page's origin in MCP_HTTP_ALLOWED_ORIGINS if intended.`,
      };
    }
    if (origin !== undefined && !this.#originAllowed(origin, req)) {
      return {
        ok: false,
        status: 403,
        title: "Forbidden origin",
        detail: `Origin "${origin}" is not allowed; add it to MCP_HTTP_ALLOWED_ORIGINS if intended.`,
      };
    }
    if (this.#tokenDigest && !options.skipAuth && !this.#bearerMatches(req)) {
      const auth = req.headers.authorization;
      return {
        ok: false,
        status: 401,
        title: "Unauthorized",
        detail: auth ? "Bearer token does not match." : "Authorization: Bearer <MCP_HTTP_TOKEN> is required.",
      };
    }
    return { ok: true };
  }

  /** The request carries the configured bearer token (false when none is configured). */
  authenticated(req: IncomingMessage): boolean {
    return this.#tokenDigest !== undefined && this.#bearerMatches(req);
  }

  #bearerMatches(req: IncomingMessage): boolean {
    if (!this.#tokenDigest) return false;
    const m = /^Bearer\s+(.+)$/i.exec((req.headers.authorization ?? "").trim());
    const given = m?.[1] ? digest(m[1].trim()) : undefined;
    return given !== undefined && timingSafeEqual(given, this.#tokenDigest);
  }

  /**
   * A listed Origin, or a loopback one on the port this request came to: a page of this server
   * itself. Every local program's page is loopback too (a dev server on :3000, another tool's UI),
   * and a browser sends no Sec-Fetch-Site from older engines or non-browser embeddings, so a
   * loopback Origin on another port is another site, refused unless the operator listed it.
   */
  #originAllowed(origin: string, req: IncomingMessage): boolean {
    const o = normalOrigin(origin);
    if (this.#origins.has(o)) return true;
    if (o === "null") return false;
    let u: URL;
    try {
      u = new URL(o);
    } catch {
      return false;
    }
    if ((u.protocol !== "http:" && u.protocol !== "https:") || !isLoopbackHost(u.hostname)) return false;
    const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    return ownPorts(req).has(port);
  }
}

/**
 * The ports a request came to: the listener's own (the socket's local port) and the one in its
 * Host header (what the browser addressed, which differs behind a loopback proxy).
 */
function ownPorts(req: IncomingMessage): Set<number> {
  const ports = new Set<number>();
  const local = req.socket?.localPort;
  if (local) ports.add(local);
  const host = req.headers.host?.trim();
  if (host) {
    const m = /:(\d+)$/.exec(host.startsWith("[") ? host.slice(host.indexOf("]") + 1) : host);
    ports.add(m?.[1] ? Number(m[1]) : 80);
  }
  return ports;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Guard settings from MCP_HTTP_TOKEN, MCP_HTTP_ALLOWED_HOSTS, MCP_HTTP_ALLOWED_ORIGINS. */
export function guardFromEnv(host: string, env: Env, options: { oauth?: boolean } = {}): NetworkGuard {
  return new NetworkGuard({
    host,
    // readCredential registers the token with the redactor (and refuses one too short to redact).
    token: readCredential({ env: ["MCP_HTTP_TOKEN"], file: true, description: "HTTP bearer token" }, env),
    allowedHosts: coreSetting("MCP_HTTP_ALLOWED_HOSTS", env) ?? [],
    allowedOrigins: coreSetting("MCP_HTTP_ALLOWED_ORIGINS", env) ?? [],
    ...(options.oauth ? { oauth: true } : {}),
  });
}
