import { defineVendor } from "@infra-mcp/core";
import type { QoveryClient } from "./config.js";

/** The one way a qovery-mcp tool is written: `qovery.tool({...})` in src/tools/<tool-name>.ts. */
export const qovery = defineVendor<QoveryClient>({
  toolsets: {
    containers: { description: "Container services: list, get, create, clone, status, settings", default: true },
    deployments: { description: "Deploy, redeploy, restart, stop, auto-deploy and preview", default: true },
    logs: { description: "Container logs (REST and the live websocket gateway)", default: true },
    shell: { description: "Shell and commands in a running container (websocket gateway)", default: false },
    sessions: { description: "Read, write, resize, signal and close open stream sessions", default: true },
  },
});
