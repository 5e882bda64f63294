import {
  type AuthPlacement,
  ConfigError,
  type Env,
  type HasHttp,
  HttpClient,
  readCredential,
  readPositiveInt,
  readSetting,
  upstreamLimitsFromEnv,
} from "@infra-mcp/core";

export const DEFAULT_API_URL = "https://api.qovery.com";
export const API_KEY_ENV = "QOVERY_API_KEY";

export interface QoveryClient extends HasHttp {
  /** "Token" for Qovery API tokens, "Bearer" for OIDC JWTs. */
  readonly scheme: "Token" | "Bearer";
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
      timeoutMs: readPositiveInt("QOVERY_TIMEOUT_MS", 30_000, env),
      ...upstreamLimitsFromEnv(env),
      userAgent: "qovery-mcp",
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`QOVERY_API_URL: ${error.message}`);
    throw error;
  }
  return { http, scheme };
}

export async function closeQoveryClient(client: QoveryClient): Promise<void> {
  await client.http.close();
}
