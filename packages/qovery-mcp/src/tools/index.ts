import type { AnyTool } from "@infra-mcp/core";
import type { QoveryClient } from "../config.js";

/** The qovery-mcp tool table: one line per tool, one file per tool beside this one. */
export const tools: AnyTool<QoveryClient>[] = [];
