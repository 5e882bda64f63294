import type { VendorDefinition } from "@infra-mcp/core";
import { createQoveryClient, type QoveryClient } from "./config.js";
import { tools } from "./tools/index.js";

declare const __VERSION__: string;

export const qoveryVendor: VendorDefinition<QoveryClient> = {
  name: "qovery-mcp",
  version: typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev",
  title: "Qovery MCP server",
  tools,
  createClient: createQoveryClient,
  envHelp: "",
};

export type { QoveryClient };
export { tools };
