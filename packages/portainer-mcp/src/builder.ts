import { defineVendor } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";

/** The one way a portainer-mcp tool is written: `portainer.tool({...})` in src/tools/<tool-name>.ts. */
export const portainer = defineVendor<PortainerClient>({
  toolsets: {
    environments: { description: "Portainer environments (endpoints)", default: true },
    containers: { description: "Docker containers: list, inspect, logs, stats, lifecycle", default: true },
    exec: { description: "Exec in and attach to Docker containers", default: true },
    kubernetes: { description: "Kubernetes: namespaces, pods, pod exec, kubectl shell, logs", default: true },
    sessions: { description: "Read, write, resize, signal and close open stream sessions", default: true },
  },
});
