import type { VendorDefinition } from "@infra-mcp/core";
import { createIncusClient, type IncusClient } from "./config.js";
import { tools } from "./tools/index.js";

declare const __VERSION__: string;

export const incusVendor: VendorDefinition<IncusClient> = {
  name: "incus-mcp",
  version: typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev",
  title: "Incus MCP server",
  tools,
  createClient: createIncusClient,
  envHelp: "",
};

export type { IncusClient };
export { tools };
