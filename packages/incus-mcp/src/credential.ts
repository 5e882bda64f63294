import { incusCall } from "./api.js";
import type { IncusRemotes } from "./config.js";

/**
 * Proves a user's X-Incus-Token before it costs an MCP session: `GET /1.0` on the default remote
 * (the one the token goes to). Incus answers 200 to anyone and says in `auth` whether it trusts
 * the caller, so the check is that field: `trusted`, and trusted because of the token
 * (`auth_user_method: oidc`). Over the unix socket every caller is trusted as root whatever it
 * sends, so there a token proves nothing and is refused rather than silently ignored.
 */
export async function verifyIncusCredential(remotes: IncusRemotes): Promise<string | undefined> {
  const client = remotes.get();
  const server = await incusCall<{ auth?: string; auth_user_method?: string }>(client, { method: "GET", path: "/1.0" });
  const { auth, auth_user_method: method } = server.metadata ?? {};
  if (auth !== "trusted") return `Incus reports this token as "${auth ?? "unknown"}", not trusted`;
  if (method !== "oidc") {
    return `Incus trusted the request through "${method ?? "unknown"}", not the token: the default remote "${client.remote}" does not authenticate by token, so the header cannot stand for a user there`;
  }
  return undefined;
}
