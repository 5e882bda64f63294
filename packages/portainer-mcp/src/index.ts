import type { VendorDefinition } from "@infra-mcp/core";
import { createPortainerClient, type PortainerClient } from "./config.js";
import { tools } from "./tools/index.js";

declare const __VERSION__: string;

export const portainerVendor: VendorDefinition<PortainerClient> = {
  name: "portainer-mcp",
  version: typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev",
  title: "Portainer MCP server",
  tools,
  createClient: createPortainerClient,
  envHelp: "",
};

export type { PortainerClient };
export { tools };
