import {
  type BoundAuth,
  ConfigError,
  defineSettings,
  type Env,
  HttpClient,
  type ResolvedUpstream,
  readCredential,
  readFileSetting,
  readSetting,
  readSettingOf,
  type TlsOptions,
  upstreamLimitsFromEnv,
} from "@infra-mcp/core";

/** Everything a tool needs to reach one Portainer: REST client, websocket upstream, auth kind. */
export interface PortainerClient {
  http: HttpClient;
  upstream: ResolvedUpstream;
  /** Which credential is bound: an API key (X-API-Key everywhere) or a JWT (Bearer / ?token=). */
  authKind: "api-key" | "jwt";
}

/** Every variable portainer-mcp reads and what it accepts (checked at start-up; see core's settings). */
export const PORTAINER_SETTINGS = defineSettings({
  PORTAINER_URL: { kind: "url", protocols: ["https", "http"] },
  PORTAINER_API_KEY: { kind: "credential", file: true },
  PORTAINER_TOKEN: { kind: "credential", file: true },
  PORTAINER_TLS_INSECURE: { kind: "bool" },
  PORTAINER_CA_FILE: { kind: "file" },
  PORTAINER_TIMEOUT_MS: { kind: "int", min: 1 },
});

export const ENV_HELP = `  PORTAINER_URL            Portainer base URL, e.g. https://portainer.example.com:9443 (required)
  PORTAINER_API_KEY        Access token from "My account > Access tokens", sent as X-API-Key
  PORTAINER_TOKEN          A JWT (from POST /api/auth) instead: Bearer on REST, ?token= on websockets
                           (set exactly one of the two; *_FILE variants read the value from a file)
  PORTAINER_TLS_INSECURE   1 to skip certificate checks (self-signed Portainer; prefer PORTAINER_CA_FILE)
  PORTAINER_CA_FILE        PEM bundle that signs Portainer's certificate
  PORTAINER_TIMEOUT_MS     REST/handshake timeout in ms (default 30000)`;

/** Reads PORTAINER_* and builds the client; throws ConfigError naming the variable to fix. */
export function createPortainerClient(env: Env): PortainerClient {
  const rawUrl = readSetting(["PORTAINER_URL"], env);
  if (!rawUrl)
    throw new ConfigError(
      "PORTAINER_URL is not set: set it to your Portainer address, e.g. https://portainer.example.com:9443.",
    );
  // Every route used here already carries /api, so a URL given with /api is trimmed back to the root.
  const baseUrl = rawUrl.replace(/\/+$/, "").replace(/\/api$/, "");

  const hasKey = Boolean(env.PORTAINER_API_KEY?.trim() || env.PORTAINER_API_KEY_FILE?.trim());
  const hasJwt = Boolean(env.PORTAINER_TOKEN?.trim() || env.PORTAINER_TOKEN_FILE?.trim());
  if (hasKey && hasJwt) {
    // Portainer answers 403 when a request carries both X-API-Key and Authorization.
    throw new ConfigError(
      "Set only one of PORTAINER_API_KEY and PORTAINER_TOKEN, not both (unset PORTAINER_TOKEN to use the API key).",
    );
  }
  if (!hasKey && !hasJwt) {
    throw new ConfigError(
      "No Portainer credential: set PORTAINER_API_KEY (an access token) or PORTAINER_TOKEN (a JWT).",
    );
  }
  let auth: BoundAuth;
  let authKind: PortainerClient["authKind"];
  if (hasKey) {
    const key = readCredential(
      { env: ["PORTAINER_API_KEY"], file: true, required: true, description: "Portainer API key" },
      env,
    );
    const placement = { in: "header" as const, name: "X-API-Key", value: key };
    auth = { http: [placement], ws: [placement] };
    authKind = "api-key";
  } else {
    const jwt = readCredential(
      { env: ["PORTAINER_TOKEN"], file: true, required: true, description: "Portainer JWT" },
      env,
    );
    auth = {
      http: [{ in: "header", name: "Authorization", scheme: "Bearer", value: jwt }],
      ws: [{ in: "query", name: "token", value: jwt }],
    };
    authKind = "jwt";
  }

  const tls: TlsOptions = {};
  if (readSettingOf(PORTAINER_SETTINGS, "PORTAINER_TLS_INSECURE", env)) tls.insecure = true;
  const ca = readFileSetting("PORTAINER_CA_FILE", env);
  if (ca) tls.ca = ca;

  const http = new HttpClient({
    name: "Portainer",
    baseUrl,
    auth,
    tls,
    timeoutMs: readSettingOf(PORTAINER_SETTINGS, "PORTAINER_TIMEOUT_MS", env) ?? 30_000,
    ...upstreamLimitsFromEnv(env),
    server: "portainer-mcp",
  });
  return { http, upstream: http.upstream, authKind };
}

export async function closePortainerClient(client: PortainerClient): Promise<void> {
  await client.http.close();
}

/**
 * Proves a user's X-Portainer-API-Key before it costs an MCP session: `GET /api/users/me`, the
 * cheapest read any authenticated Portainer user may make (Portainer answers 401 "Invalid JWT
 * token" for an unknown key, which core reads as refused).
 */
export async function verifyPortainerCredential(client: PortainerClient): Promise<string | undefined> {
  await client.http.json({ method: "GET", path: "/api/users/me" });
  return undefined;
}
