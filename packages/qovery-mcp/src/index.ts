import type { VendorDefinition } from "@infra-mcp/core";
import { qovery } from "./builder.js";
import {
  closeQoveryClient,
  createQoveryClient,
  QOVERY_SETTINGS,
  type QoveryClient,
  verifyQoveryCredential,
} from "./config.js";
import { prompts } from "./prompts.js";
import { routes, tools } from "./tools/index.js";

declare const __VERSION__: string;

export const qoveryVendor: VendorDefinition<QoveryClient> = {
  name: "qovery-mcp",
  version: typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev",
  title: "Qovery MCP server",
  instructions:
    "Qovery container services. Ids are uuids: find them in the Qovery console URL or with list-containers. create-container and clone-container only create the service (deploy it with deploy-container); auto-deploy-containers and preview-container-environments act organization-wide on every matching container. Live logs and shells go through Qovery's websocket gateway and take only the containerId.",
  tools,
  prompts,
  toolsets: qovery.toolsets,
  routes,
  createClient: createQoveryClient,
  closeClient: closeQoveryClient,
  credentialHeader: "x-qovery-token",
  credentialEnv: "QOVERY_API_KEY",
  verifyCredential: verifyQoveryCredential,
  settings: QOVERY_SETTINGS,
  envHelp: [
    "  QOVERY_API_KEY       Qovery API token (required; sent as `Authorization: Token <key>`, a JWT as `Bearer`)",
    "  QOVERY_API_KEY_FILE  Path to a file holding the token, instead of QOVERY_API_KEY",
    "  QOVERY_API_URL       API base URL (default https://api.qovery.com)",
    "  QOVERY_TIMEOUT_MS    Per-request timeout in ms (default 30000)",
    "  QOVERY_WS_URL        Websocket gateway for live logs and shells (default wss://ws.qovery.com)",
    "  QOVERY_WAIT_POLL_MS  Status poll interval of a lifecycle tool's wait, in ms (default 5000)",
  ].join("\n"),
};

export type { QoveryClient };
export { routes, tools };
