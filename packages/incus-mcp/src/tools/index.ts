import type { AnyTool } from "@infra-mcp/core";
import { incus } from "../builder.js";
import type { IncusClient } from "../config.js";
import { cancelOperation } from "./cancel-operation.js";
import { execInInstance } from "./exec-in-instance.js";
import { getOperation } from "./get-operation-state.js";
import { listOperationIds, listOperations } from "./get-operations.js";
import { readOperationStream, readOperationStreamPublic } from "./get-websocket-stream.js";
import { listInstances } from "./list-instances.js";
import { openExecSession } from "./open-exec-session.js";
import { waitForOperation, waitForOperationPublic } from "./wait-operation.js";

/**
 * The incus-mcp tool table: one line per tool, one file per tool beside this one (a seed twin is
 * declared in its tool's file as a variant). REST routes are in ../routes.ts.
 */
export const tools: AnyTool<IncusClient>[] = [
  // the seed's operations surface
  listOperationIds,
  listOperations,
  getOperation,
  cancelOperation,
  waitForOperation,
  waitForOperationPublic,
  readOperationStream,
  readOperationStreamPublic,
  // beyond the seed: find instances, run commands
  listInstances,
  execInInstance,
  // interactive (PTY) sessions + core's generic session-read/write/resize/signal/close/list
  openExecSession,
  ...incus.sessionTools(),
];
