import type { Env } from "../../base/credentials.js";
import { coreSetting } from "../../base/settings.js";

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

/**
 * Limits set by MCP_HTTP_MAX_BODY_BYTES, MCP_HTTP_MAX_SESSIONS, MCP_HTTP_MAX_SESSIONS_PER_CLIENT
 * and MCP_HTTP_SESSION_IDLE_SECONDS (only the ones set; resolveLimits fills in the rest).
 */
export function limitsFromEnv(env: Env): Partial<NetworkLimits> {
  const idle = coreSetting("MCP_HTTP_SESSION_IDLE_SECONDS", env);
  const entries: [keyof NetworkLimits, number | undefined][] = [
    ["maxBodyBytes", coreSetting("MCP_HTTP_MAX_BODY_BYTES", env)],
    ["maxSessions", coreSetting("MCP_HTTP_MAX_SESSIONS", env)],
    ["maxSessionsPerClient", coreSetting("MCP_HTTP_MAX_SESSIONS_PER_CLIENT", env)],
    ["sessionIdleMs", idle === undefined ? undefined : idle * 1000],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}
