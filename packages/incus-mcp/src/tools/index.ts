import { type AnyTool, sessionTools } from "@infra-mcp/core";
import type { IncusClient } from "../config.js";
import { cancelOperation } from "./cancel-operation.js";
import { execInInstance } from "./exec-in-instance.js";
import { getOperationState } from "./get-operation-state.js";
import { getOperations } from "./get-operations.js";
import { getOperations2 } from "./get-operations-2.js";
import { getWebsocketStream } from "./get-websocket-stream.js";
import { getWebsocketStream2 } from "./get-websocket-stream-2.js";
import { listInstances } from "./list-instances.js";
import { openExecSession } from "./open-exec-session.js";
import { waitOperation } from "./wait-operation.js";
import { waitOperation2 } from "./wait-operation-2.js";

/** The incus-mcp tool table: one line per tool, one file per tool beside this one. */
export const tools: AnyTool<IncusClient>[] = [
  // the seed's operations surface
  getOperations,
  getOperations2,
  getOperationState,
  cancelOperation,
  waitOperation,
  waitOperation2,
  getWebsocketStream,
  getWebsocketStream2,
  // beyond the seed: find instances, run commands
  listInstances,
  execInInstance,
  // interactive (PTY) sessions + core's generic session-read/write/resize/signal/close/list
  openExecSession,
  ...sessionTools<IncusClient>(),
];
