import type { AnyTool } from "@infra-mcp/core";
import type { IncusClient } from "../config.js";

/** The incus-mcp tool table: one line per tool, one file per tool beside this one. */
export const tools: AnyTool<IncusClient>[] = [];
