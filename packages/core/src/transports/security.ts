import { timingSafeEqual } from "node:crypto";
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { type Env, readCredential } from "../credentials.js";
import { digest } from "../digest.js";
import { ConfigError } from "../errors.js";
import { redactor } from "../redact.js";
import type { VendorDefinition } from "../vendor.js";

/**
 * The network guard shared by the MCP HTTP endpoint and the REST surface: DNS-rebinding defence
 * (Host and Origin checked against loopback names unless configured otherwise), bearer token
 * (mandatory off loopback), request body cap, and the limits' defaults and variables.
 */
export interface NetworkLimits {
  /** Largest request body accepted (bytes); larger → 413. */
  maxBodyBytes: number;
  /** Concurrent MCP sessions per endpoint; more → 503. */
  maxSessions: number;
  /** An MCP session with no request for this long is closed (ms). */
  sessionIdleMs: number;
}

export const DEFAULT_NETWORK_LIMITS: NetworkLimits = {
  maxBodyBytes: 1024 * 1024,
  maxSessions: 64,
  sessionIdleMs: 30 * 60_000,
};

export interface GuardOptions {
  /** The address the server binds to. */
  host: string;
  /** MCP_HTTP_TOKEN: when set, every request needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Extra Host names accepted (MCP_HTTP_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
  /** Extra Origins accepted (MCP_HTTP_ALLOWED_ORIGINS), e.g. https://app.example. */
  allowedOrigins?: readonly string[];
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

export class NetworkGuard {
  readonly #tokenDigest: Buffer | undefined;
  readonly #hosts: Set<string> | undefined;
  readonly #origins: Set<string>;
  readonly #loopbackOnly: boolean;

  constructor(options: GuardOptions) {
    const token = options.token?.trim() || undefined;
    this.#loopbackOnly = isLoopbackHost(options.host);
    if (!this.#loopbackOnly && !token) {
      throw new ConfigError(
        `Refusing to listen on non-loopback address ${options.host} without authentication: set MCP_HTTP_TOKEN (clients then send "Authorization: Bearer <token>"), or bind to 127.0.0.1.`,
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
    this.#origins = new Set((options.allowedOrigins ?? []).map((o) => o.trim().toLowerCase().replace(/\/$/, "")));
  }

  get requiresToken(): boolean {
    return this.#tokenDigest !== undefined;
  }

  /** Host, Origin and bearer checks; `skipAuth` only for the liveness probe. */
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
    if (origin !== undefined && !this.#originAllowed(origin)) {
      return {
        ok: false,
        status: 403,
        title: "Forbidden origin",
        detail: `Origin "${origin}" is not allowed; add it to MCP_HTTP_ALLOWED_ORIGINS if intended.`,
      };
    }
    if (this.#tokenDigest && !options.skipAuth) {
      const auth = req.headers.authorization ?? "";
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      const given = m?.[1] ? digest(m[1].trim()) : undefined;
      if (!given || !timingSafeEqual(given, this.#tokenDigest)) {
        return {
          ok: false,
          status: 401,
          title: "Unauthorized",
          detail: auth ? "Bearer token does not match." : "Authorization: Bearer <MCP_HTTP_TOKEN> is required.",
        };
      }
    }
    return { ok: true };
  }

  #originAllowed(origin: string): boolean {
    const o = origin.trim().toLowerCase().replace(/\/$/, "");
    if (this.#origins.has(o)) return true;
    if (o === "null") return false;
    try {
      const u = new URL(o);
      return (u.protocol === "http:" || u.protocol === "https:") && isLoopbackHost(u.hostname);
    } catch {
      return false;
    }
  }
}

/** Digest first so the comparison is constant-time whatever the lengths. */

export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`Request body exceeds the ${limit}-byte limit (MCP_HTTP_MAX_BODY_BYTES).`);
    this.limit = limit;
  }
}

/** Reads a request body up to `limit` bytes; a larger declared or actual body rejects with BodyTooLargeError. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
  });
}

export interface ProblemBody {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  [extra: string]: unknown;
}

/** RFC 9457 problem body, redacted. */
export function sendProblem(res: ServerResponse, problem: ProblemBody, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(redactor.redactValue({ type: "about:blank", ...problem }));
  res.writeHead(problem.status, {
    "content-type": "application/problem+json",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(redactor.redactValue(value));
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

function list(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive integer, got "${raw}".`);
  return n;
}

/** Limits from MCP_HTTP_MAX_BODY_BYTES, MCP_HTTP_MAX_SESSIONS, MCP_HTTP_SESSION_IDLE_SECONDS. */
export function limitsFromEnv(env: Env = process.env): NetworkLimits {
  return {
    maxBodyBytes: positiveInt(env, "MCP_HTTP_MAX_BODY_BYTES", DEFAULT_NETWORK_LIMITS.maxBodyBytes),
    maxSessions: positiveInt(env, "MCP_HTTP_MAX_SESSIONS", DEFAULT_NETWORK_LIMITS.maxSessions),
    sessionIdleMs:
      positiveInt(env, "MCP_HTTP_SESSION_IDLE_SECONDS", DEFAULT_NETWORK_LIMITS.sessionIdleMs / 1000) * 1000,
  };
}

/** Guard settings from MCP_HTTP_TOKEN, MCP_HTTP_ALLOWED_HOSTS, MCP_HTTP_ALLOWED_ORIGINS. */
export function guardFromEnv(host: string, env: Env = process.env): NetworkGuard {
  return new NetworkGuard({
    host,
    token: readCredential({ env: ["MCP_HTTP_TOKEN"], file: true, description: "HTTP bearer token" }, env),
    allowedHosts: list(env.MCP_HTTP_ALLOWED_HOSTS),
    allowedOrigins: list(env.MCP_HTTP_ALLOWED_ORIGINS),
  });
}

/** Answers a refused websocket Upgrade on the raw socket with a problem body, then closes it. */
export function refuseUpgrade(socket: Duplex, status: number, title: string, detail?: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(
    redactor.redactValue({ type: "about:blank", title, status, ...(detail ? { detail } : {}) }),
  );
  const auth = status === 401 ? 'www-authenticate: Bearer realm="infra-mcp"\r\n' : "";
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\nconnection: close\r\ncontent-type: application/problem+json\r\n${auth}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The environment one MCP session (or one REST request) builds its client from when the request
 * carries the vendor's credential header: the header value replaces `credentialEnv`, conflicting
 * alternatives are dropped, and the value is registered with the redactor. Undefined when the
 * vendor has no header or the request does not carry it.
 */
export function credentialOverride(
  vendor: Pick<VendorDefinition<unknown>, "credentialHeader" | "credentialEnv" | "credentialEnvClear">,
  headers: IncomingMessage["headers"],
  base: Env,
): { env: Env; value: string } | undefined {
  const { credentialHeader, credentialEnv } = vendor;
  if (!credentialHeader || !credentialEnv) return undefined;
  const raw = headers[credentialHeader.toLowerCase()];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value) return undefined;
  redactor.add(value);
  const env: Record<string, string | undefined> = { ...base, [credentialEnv]: value };
  for (const name of [`${credentialEnv}_FILE`, ...(vendor.credentialEnvClear ?? [])]) delete env[name];
  return { env, value };
}
