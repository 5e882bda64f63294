import type { Env } from "../../base/credentials.js";
import type { Redactor } from "../../base/redact.js";
import { networkCaller } from "../../observe/observer.js";
import type { SessionLimits } from "../../streams/sessions.js";
import { sharedSwitchesOf, type ToolFilter } from "../../tools/select.js";
import type { ServerOptions } from "../../tools/vendor.js";
import type { UserCredential } from "../shared/credential.js";
import type { CredentialCheckOptions } from "../shared/credential-check.js";
import type { NetworkLimits } from "../shared/limits.js";
import type { RequestAccess } from "../shared/oauth.js";

export interface McpEndpointOptions extends ToolFilter {
  limits?: Partial<NetworkLimits>;
  /** No Mcp-Session-Id: a fresh server per POST; session tools are not offered. */
  stateless?: boolean;
  /** The environment the entry read, which the vendor client is built from (none when absent). */
  env?: Env;
  sessionLimits?: Partial<SessionLimits>;
  /** Replica id shown in serverInfo.version as `<version>+<id>` (MCP_INSTANCE_ID). */
  instanceId?: string;
  /**
   * Request header carrying the proxy's routing key at initialize (MCP_SESSION_ID_HEADER, e.g.
   * x-request-id). The session id is always generated here; the key is recorded in it as a prefix,
   * `<key>.<random UUID>`, so a proxy hashing on "the Mcp-Session-Id's prefix, else this header"
   * sends every request of the session to the replica that created it. It is logged for
   * correlation too. Ignored unless 8-64 chars of [0-9A-Za-z_~-].
   */
  sessionIdHeader?: string;
  /** How long the verdict on a per-user credential header is kept, and how many (tests lower them). */
  credentialCheck?: CredentialCheckOptions;
}

/** The options of one McpServer for a session (or, stateless, for one request): spread here only. */
export function serverOptions(
  options: McpEndpointOptions,
  stateless: boolean,
  user?: UserCredential,
  redaction?: Redactor,
  access?: RequestAccess,
): ServerOptions {
  const { toolsets, sessionLimits, instanceId } = options;
  const env = user?.env ?? options.env;
  return {
    ...sharedSwitchesOf(options),
    ...(toolsets ? { toolsets } : {}),
    ...(stateless ? { stateless } : {}),
    ...(env ? { env } : {}),
    ...(redaction ? { redaction } : {}),
    ...(sessionLimits ? { sessionLimits } : {}),
    ...(instanceId ? { instanceId } : {}),
    transport: "http" as const,
    caller: networkCaller(access?.subject, user?.digest),
  };
}
