import type { VendorDefinition } from "@infra-mcp/core";
import { portainer } from "./builder.js";
import {
  closePortainerClient,
  createPortainerClient,
  ENV_HELP,
  PORTAINER_SETTINGS,
  type PortainerClient,
  verifyPortainerCredential,
} from "./config.js";
import { prompts } from "./prompts.js";
import { routes, tools } from "./tools/index.js";

declare const __VERSION__: string;

export const portainerVendor: VendorDefinition<PortainerClient> = {
  name: "portainer-mcp",
  version: typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev",
  title: "Portainer MCP server",
  instructions:
    "Portainer: find an environment with list-environments and a container with list-containers; read it with " +
    "get-container-logs, inspect-container, get-container-stats; start/stop/restart/kill-container; run commands " +
    "with execute-websocket (one-shot, returns exit code) or open a session (session:true) for interactive work. " +
    "Kubernetes environments: execute-websocket-pod and execute-websocket-kubectl-shell-pod.",
  tools,
  prompts,
  toolsets: portainer.toolsets,
  routes,
  createClient: createPortainerClient,
  closeClient: closePortainerClient,
  credentialHeader: "x-portainer-api-key",
  credentialEnv: "PORTAINER_API_KEY",
  // A per-user X-Portainer-API-Key must win on a server configured with a JWT (both → ConfigError).
  credentialEnvClear: ["PORTAINER_TOKEN", "PORTAINER_TOKEN_FILE"],
  verifyCredential: verifyPortainerCredential,
  settings: PORTAINER_SETTINGS,
  envHelp: ENV_HELP,
};

export type { PortainerClient };
export { routes, tools };
