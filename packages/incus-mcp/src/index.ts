import { type AnyRoute, type AnyTool, scopeRoutes, scopeTools, type VendorDefinition } from "@infra-mcp/core";
import { z } from "zod";
import { incus } from "./builder.js";
import { INCUS_SETTINGS, type IncusClient, IncusRemotes } from "./config.js";
import { verifyIncusCredential } from "./credential.js";
import { prompts } from "./prompts.js";
import { table } from "./tools/index.js";

/**
 * Every tool takes an optional `remote`: the vendor's client is the registry of remotes and each
 * call gets the client of the remote it names (tool files only ever see one remote's client).
 */
const remoteScope = {
  // Described once in the server instructions, not in every tool's schema (tools/list size).
  args: { remote: z.string().optional() },
  select: (remotes: IncusRemotes, args: { remote?: string | undefined }) => remotes.get(args.remote),
};
export const tools: AnyTool<IncusRemotes>[] = scopeTools(table.tools, remoteScope);
export const routes: AnyRoute<IncusRemotes>[] = scopeRoutes(table.routes, tools, remoteScope);

declare const __VERSION__: string;

export const incusVendor: VendorDefinition<IncusRemotes> = {
  name: "incus-mcp",
  version: typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev",
  title: "Incus MCP server",
  instructions:
    "Incus containers and VMs: list-instances to find names, exec-in-instance to run a command, open-exec-session for interactive ones. Operations (get-operations, wait-operation, cancel-operation) track background work; finished operations vanish after ~5 s. State-changing tools (start/stop-instance, snapshots) wait up to waitSeconds with progress notifications, else answer with the operation id for wait-operation. Every tool takes an optional `remote` (a name from list-remotes); omitted = the default remote.",
  tools,
  prompts,
  toolsets: incus.toolsets,
  routes,
  createClient: (env) => new IncusRemotes(env),
  closeClient: (remotes) => remotes.close(),
  credentialHeader: "x-incus-token",
  credentialEnv: "INCUS_TOKEN",
  // The header's token is the user's only credential: the alias and the server's own client
  // certificate go, or Incus would trust the certificate and the token would prove nothing.
  credentialEnvClear: ["INCUS_API_KEY", "INCUS_API_KEY_FILE", "INCUS_CLIENT_CERT", "INCUS_CLIENT_KEY"],
  verifyCredential: verifyIncusCredential,
  settings: INCUS_SETTINGS,
  envHelp: [
    "  INCUS_SOCKET        unix socket (default /run/incus/unix.socket if present, else /var/lib/incus/unix.socket)",
    "  INCUS_URL           https://host:8443: the remote `url` (the default unless INCUS_REMOTE is set)",
    "  INCUS_CLIENT_CERT   PEM client certificate file (trusted with `incus config trust add-certificate`)",
    "  INCUS_CLIENT_KEY    PEM private key file for INCUS_CLIENT_CERT",
    "  INCUS_SERVER_CERT   PEM server certificate to pin (self-signed servers)",
    "  INCUS_TOKEN         OIDC access token sent as Bearer (alias INCUS_API_KEY; *_FILE accepted)",
    "  INCUS_REMOTE        default remote (a name from the incus CLI config, or local / url); tools take `remote`",
    "  INCUS_CONF          incus CLI config directory (default ~/.config/incus): the remotes tools can name",
    "  INCUS_PROJECT       default project (else the remote's project)",
    "  INCUS_TIMEOUT_MS    request, connect and wait-liveness timeout (30000)",
  ].join("\n"),
};

export type { IncusClient };
export { IncusRemotes };
