import {
  type AuthPlacement,
  ConfigError,
  defineSettings,
  type Env,
  type HasHttp,
  HttpClient,
  type ResolvedUpstream,
  readCredential,
  readSetting,
  readSettingOf,
  resolveUpstream,
  upstreamLimitsFromEnv,
} from "@infra-mcp/core";

export const DEFAULT_API_URL = "https://api.qovery.com";
export const DEFAULT_WS_URL = "wss://ws.qovery.com";
export const API_KEY_ENV = "QOVERY_API_KEY";

/** Every variable qovery-mcp reads and what it accepts (checked at start-up; see core's settings). */
export const QOVERY_SETTINGS = defineSettings({
  QOVERY_API_KEY: { kind: "credential", file: true },
  QOVERY_API_URL: { kind: "url", protocols: ["https", "http"] },
  QOVERY_WS_URL: { kind: "url", protocols: ["wss", "ws"] },
  QOVERY_TIMEOUT_MS: { kind: "int", min: 1 },
  QOVERY_WAIT_POLL_MS: { kind: "int", min: 1 },
});

export interface QoveryClient extends HasHttp {
  /** "Token" for Qovery API tokens, "Bearer" for OIDC JWTs. */
  readonly scheme: "Token" | "Bearer";
  /** Qovery's websocket gateway (live logs, shell), with the same Authorization header as REST. */
  readonly gateway: ResolvedUpstream;
  /** How often a `wait` polls the container status (ms). */
  readonly pollMs: number;
}

/** Three base64url segments separated by dots: an OIDC JWT, sent as Bearer (API tokens are not JWTs). */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function authScheme(token: string): "Token" | "Bearer" {
  return JWT.test(token) ? "Bearer" : "Token";
}

/**
 * Reads QOVERY_API_KEY (or QOVERY_API_KEY_FILE), QOVERY_API_URL and QOVERY_TIMEOUT_MS. The key is
 * registered with the redactor by readCredential, so it never leaves the process in any text.
 */
export function createQoveryClient(env: Env): QoveryClient {
  const token = readCredential(
    {
      env: [API_KEY_ENV],
      file: true,
      required: true,
      description: `Qovery API token (${API_KEY_ENV}; create one in the Qovery console under Organization settings → API tokens)`,
    },
    env,
  );
  const baseUrl = readSetting(["QOVERY_API_URL"], env) ?? DEFAULT_API_URL;
  const scheme = authScheme(token);
  const auth: AuthPlacement = { in: "header", name: "authorization", scheme, value: token };
  let http: HttpClient;
  try {
    http = new HttpClient({
      name: "Qovery API",
      baseUrl,
      auth: { http: [auth] },
      timeoutMs: readSettingOf(QOVERY_SETTINGS, "QOVERY_TIMEOUT_MS", env) ?? 30_000,
      ...upstreamLimitsFromEnv(env),
      server: "qovery-mcp",
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`QOVERY_API_URL: ${error.message}`);
    throw error;
  }
  return {
    http,
    scheme,
    gateway: gatewayUpstream(env, auth),
    pollMs: readSettingOf(QOVERY_SETTINGS, "QOVERY_WAIT_POLL_MS", env) ?? 5_000,
  };
}

/**
 * QOVERY_WS_URL (the variable Qovery's own CLI reads), ws:// or wss://. Core resolves upstreams by
 * their http(s) origin and turns it back into ws(s) when it connects.
 */
function gatewayUpstream(env: Env, auth: AuthPlacement): ResolvedUpstream {
  const raw = readSetting(["QOVERY_WS_URL"], env) ?? DEFAULT_WS_URL;
  if (!/^wss?:\/\//i.test(raw)) throw new ConfigError(`QOVERY_WS_URL must start with ws:// or wss://, got "${raw}".`);
  try {
    return resolveUpstream({
      name: "Qovery websocket gateway",
      server: "qovery-mcp",
      baseUrl: raw.replace(/^ws/i, "http"),
      auth: { ws: [auth] },
      timeoutMs: readSettingOf(QOVERY_SETTINGS, "QOVERY_TIMEOUT_MS", env) ?? 30_000,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`QOVERY_WS_URL: ${error.message}`);
    throw error;
  }
}

export async function closeQoveryClient(client: QoveryClient): Promise<void> {
  await client.http.close();
}

/**
 * Proves a user's X-Qovery-Token before it costs an MCP session: `GET /organization` (the
 * organizations the token may see), which Qovery answers 401 for a token it does not know.
 */
export async function verifyQoveryCredential(client: QoveryClient): Promise<string | undefined> {
  await client.http.json({ method: "GET", path: "/organization" });
  return undefined;
}
