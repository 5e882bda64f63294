import type { Env } from "../credentials.js";
import { ConfigError } from "../errors.js";

/** The HTTP listeners' limits, their defaults and the variables that override them. */
export interface NetworkLimits {
  /** Largest request body accepted (bytes); larger → 413. */
  maxBodyBytes: number;
  /** Concurrent MCP sessions per endpoint; more → 503. */
  maxSessions: number;
  /**
   * Concurrent MCP sessions one client may hold (a client is its credential header, else its
   * remote address), so one client cannot take every slot; more → 503. Default: half of
   * maxSessions; never above it.
   */
  maxSessionsPerClient: number;
  /** An MCP session with no request for this long is closed (ms). */
  sessionIdleMs: number;
}

export const DEFAULT_NETWORK_LIMITS: NetworkLimits = {
  maxBodyBytes: 1024 * 1024,
  maxSessions: 64,
  maxSessionsPerClient: 32,
  sessionIdleMs: 30 * 60_000,
};

/** The default per-client share of a session cap: half of it (at least one). */
export function defaultClientShare(maxSessions: number): number {
  return Math.max(1, Math.floor(maxSessions / 2));
}

/**
 * Fills in a partial set of limits: an unset per-client share follows the session cap (half of
 * it), and a share above the cap is the cap.
 */
export function resolveLimits(partial: Partial<NetworkLimits> = {}): NetworkLimits {
  const maxSessions = partial.maxSessions ?? DEFAULT_NETWORK_LIMITS.maxSessions;
  const share = partial.maxSessionsPerClient ?? defaultClientShare(maxSessions);
  return {
    maxBodyBytes: partial.maxBodyBytes ?? DEFAULT_NETWORK_LIMITS.maxBodyBytes,
    maxSessions,
    maxSessionsPerClient: Math.min(share, maxSessions),
    sessionIdleMs: partial.sessionIdleMs ?? DEFAULT_NETWORK_LIMITS.sessionIdleMs,
  };
}

function positiveInt(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive integer, got "${raw}".`);
  return n;
}

/**
 * Limits set by MCP_HTTP_MAX_BODY_BYTES, MCP_HTTP_MAX_SESSIONS, MCP_HTTP_MAX_SESSIONS_PER_CLIENT
 * and MCP_HTTP_SESSION_IDLE_SECONDS (only the ones set; resolveLimits fills in the rest).
 */
export function limitsFromEnv(env: Env = process.env): Partial<NetworkLimits> {
  const idle = positiveInt(env, "MCP_HTTP_SESSION_IDLE_SECONDS");
  const entries: [keyof NetworkLimits, number | undefined][] = [
    ["maxBodyBytes", positiveInt(env, "MCP_HTTP_MAX_BODY_BYTES")],
    ["maxSessions", positiveInt(env, "MCP_HTTP_MAX_SESSIONS")],
    ["maxSessionsPerClient", positiveInt(env, "MCP_HTTP_MAX_SESSIONS_PER_CLIENT")],
    ["sessionIdleMs", idle === undefined ? undefined : idle * 1000],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}
