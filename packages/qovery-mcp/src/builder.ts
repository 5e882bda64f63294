import { defineVendor, type StatusHints, withStatusHint } from "@infra-mcp/core";
import type { QoveryClient } from "./config.js";

/** The one way a qovery-mcp tool is written: `qovery.tool({...})` in src/tools/<tool-name>.ts. */
export const qovery = defineVendor<QoveryClient>({
  checkWith: "get-container-status",
  toolsets: {
    containers: { description: "Container services: list, get, create, clone, status, settings", default: true },
    deployments: { description: "Deploy, redeploy, restart, stop, auto-deploy and preview", default: true },
    logs: { description: "Container logs (REST and the live websocket gateway)", default: true },
    shell: { description: "Shell and commands in a running container (websocket gateway)", default: false },
    sessions: { description: "Read, write, resize, signal and close open stream sessions", default: true },
  },
  // What these statuses mean for any Qovery call; a tool's own statusHints (404, 409) say more.
  statusHints: {
    400: "Qovery refused the request; fix the fields its message names",
    401: "Qovery rejected the token in QOVERY_API_KEY (mistyped, revoked or expired); create a new API token",
    403: "The token in QOVERY_API_KEY is valid but has no access to this resource; check the ids and the token's organization/role",
    422: "Qovery refused the request; fix the fields its message names",
  },
});

/**
 * For vendor modules that call Qovery outside a tool's own request (gateway lookups, lifecycle
 * reads): the error with what its status means there, else what it means for any Qovery call.
 */
export function withHint(error: unknown, hints: StatusHints = {}): unknown {
  return withStatusHint(error, hints, qovery.statusHints);
}
