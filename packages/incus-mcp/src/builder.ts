import { defineVendor } from "@infra-mcp/core";
import type { IncusClient } from "./config.js";

/** The one way an incus-mcp tool is written: `incus.tool({...})` in src/tools/<tool-name>.ts. */
export const incus = defineVendor<IncusClient>({
  checkWith: "get-operations",
  toolsets: {
    operations: {
      description: "Background operations: list, inspect, wait, cancel, read their streams",
      default: true,
    },
    instances: { description: "Instances and remotes: list, state, lifecycle, logs", default: true },
    exec: { description: "Run commands in instances (one-shot and interactive)", default: true },
    files: { description: "Read, write and delete files inside instances", default: true },
    snapshots: { description: "List, create, restore and delete instance snapshots", default: false },
    events: { description: "The daemon's live event stream", default: false },
    sessions: { description: "Read, write, resize, signal and close open stream sessions", default: true },
  },
});
