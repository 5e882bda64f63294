import { Agent } from "undici";
import type { BoundAuth, Env } from "../base/credentials.js";
import { ConfigError } from "../base/errors.js";
import { coreSetting } from "../base/settings.js";

export interface TlsOptions {
  /** Extra CA bundle (PEM). */
  ca?: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string;
  key?: string;
  /** Trust exactly this self-signed server certificate (PEM), whatever host name it carries. */
  pinnedServerCert?: string;
  /** Skip verification entirely; opt-in only. */
  insecure?: boolean;
}

/** Everything needed to reach one vendor API: where, how (socket/TLS) and with which credential. */
export interface UpstreamOptions {
  /** Human name for messages: "Incus", "Portainer". */
  name: string;
  /** Origin plus optional path prefix, e.g. https://portainer:9443/api or http://unix for a socket. */
  baseUrl: string;
  socketPath?: string;
  tls?: TlsOptions;
  auth?: BoundAuth;
  /** Default request timeout (ms). */
  timeoutMs?: number;
  /** Retries for idempotent reads. */
  retries?: number;
  /** Largest response body read into memory (default 32 MiB); larger answers fail with a clear error. */
  maxResponseBytes?: number;
  /**
   * The MCP server this upstream serves ("incus-mcp"): the `server` label of its upstream metrics
   * (the gateway serves three from one process) and the User-Agent unless `userAgent` says otherwise.
   */
  server?: string;
  userAgent?: string;
}

export interface ResolvedUpstream extends UpstreamOptions {
  origin: URL;
  timeoutMs: number;
  retries: number;
  maxResponseBytes: number;
  /** Label for error messages: never includes credentials. */
  where: string;
}

/** Largest upstream response body held in memory unless configured otherwise. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * The upstream limits every vendor shares, read from the environment by the vendor's createClient
 * (MCP_UPSTREAM_RETRIES, MCP_UPSTREAM_MAX_RESPONSE_BYTES) and passed into its UpstreamOptions.
 */
export function upstreamLimitsFromEnv(env: Env): Required<Pick<UpstreamOptions, "retries" | "maxResponseBytes">> {
  return {
    retries: coreSetting("MCP_UPSTREAM_RETRIES", env) ?? 2,
    maxResponseBytes: coreSetting("MCP_UPSTREAM_MAX_RESPONSE_BYTES", env) ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}

export function resolveUpstream(options: UpstreamOptions): ResolvedUpstream {
  let origin: URL;
  try {
    origin = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
  } catch {
    throw new ConfigError(`${options.name} URL "${options.baseUrl}" is not a valid URL.`);
  }
  if (origin.protocol !== "http:" && origin.protocol !== "https:") {
    throw new ConfigError(`${options.name} URL must start with http:// or https://, got "${origin.protocol}".`);
  }
  if (origin.username || origin.password) {
    throw new ConfigError(`${options.name} URL must not carry credentials; use the credential variables instead.`);
  }
  return {
    ...options,
    ...((options.userAgent ?? options.server) ? { userAgent: options.userAgent ?? options.server } : {}),
    origin,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 2,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    where: options.socketPath ? `unix:${options.socketPath}` : origin.origin,
  };
}

/** TLS options in the shape both undici's connector and `ws` (tls.connect) accept. */
export function tlsConnectOptions(tls: TlsOptions | undefined): Record<string, unknown> {
  if (!tls) return {};
  const out: Record<string, unknown> = {};
  const ca = [tls.ca, tls.pinnedServerCert].filter((x): x is string => Boolean(x));
  if (ca.length) out.ca = ca;
  if (tls.cert) out.cert = tls.cert;
  if (tls.key) out.key = tls.key;
  // A pinned self-signed certificate rarely names the host it is reached by (127.0.0.1, a
  // tunnel); the chain check against exactly that certificate is the identity check.
  if (tls.pinnedServerCert) out.checkServerIdentity = () => undefined;
  if (tls.insecure) out.rejectUnauthorized = false;
  return out;
}

export function createDispatcher(upstream: ResolvedUpstream): Agent {
  return new Agent({
    connect: {
      // The connect phase (TCP and the TLS handshake) is bounded by the upstream's timeout even
      // for calls that switch the request timeout off (long-poll waits): a server that accepts
      // the connection but never completes the handshake must not hold such a call forever.
      timeout: upstream.timeoutMs,
      ...(upstream.socketPath ? { socketPath: upstream.socketPath } : {}),
      ...tlsConnectOptions(upstream.tls),
    },
    keepAliveTimeout: 10_000,
  });
}
