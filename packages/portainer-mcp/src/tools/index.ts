import type { AnyTool } from "@infra-mcp/core";
import type { PortainerClient } from "../config.js";

/** The portainer-mcp tool table: one line per tool, one file per tool beside this one. */
export const tools: AnyTool<PortainerClient>[] = [];
