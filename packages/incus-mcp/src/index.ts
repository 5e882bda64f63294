import type { VendorDefinition } from "@infra-mcp/core";
import { incus } from "./builder.js";
import { createIncusClient, type IncusClient } from "./config.js";
import { tools } from "./tools/index.js";

declare const __VERSION__: string;

export const incusVendor: VendorDefinition<IncusClient> = {
  name: "incus-mcp",
  version: typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev",
  title: "Incus MCP server",
  instructions:
    "Incus containers and VMs: list-instances to find names, exec-in-instance to run a command, open-exec-session for interactive ones. Operations (get-operations, wait-operation, cancel-operation) track background work; finished operations vanish after ~5 s.",
  tools,
  toolsets: incus.toolsets,
  createClient: createIncusClient,
  closeClient: (client) => client.http.close(),
  credentialHeader: "x-incus-token",
  credentialEnv: "INCUS_TOKEN",
  envHelp: [
    "  INCUS_SOCKET        unix socket (default /run/incus/unix.socket if present, else /var/lib/incus/unix.socket)",
    "  INCUS_URL           https://host:8443 instead of the socket",
    "  INCUS_CLIENT_CERT   PEM client certificate file (trusted with `incus config trust add-certificate`)",
    "  INCUS_CLIENT_KEY    PEM private key file for INCUS_CLIENT_CERT",
    "  INCUS_SERVER_CERT   PEM server certificate to pin (self-signed servers)",
    "  INCUS_TOKEN         OIDC access token sent as Bearer (alias INCUS_API_KEY; *_FILE accepted)",
    "  INCUS_REMOTE        remote name from the incus CLI config (INCUS_CONF, default ~/.config/incus)",
    "  INCUS_PROJECT       default project",
    "  INCUS_TIMEOUT_MS    default request timeout (30000)",
  ].join("\n"),
};

export type { IncusClient };
export { tools };
