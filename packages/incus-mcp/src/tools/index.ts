import { type AnyTool, sessionTools } from "@infra-mcp/core";
import type { IncusClient } from "../config.js";
import { cancelOperation } from "./cancel-operation.js";
import { createSnapshot } from "./create-snapshot.js";
import { deleteFile } from "./delete-file.js";
import { deleteSnapshot } from "./delete-snapshot.js";
import { execInInstance } from "./exec-in-instance.js";
import { freezeInstance } from "./freeze-instance.js";
import { getConsoleLog } from "./get-console-log.js";
import { getInstanceLog } from "./get-instance-log.js";
import { getInstanceState } from "./get-instance-state.js";
import { getOperationState } from "./get-operation-state.js";
import { getOperations } from "./get-operations.js";
import { getOperations2 } from "./get-operations-2.js";
import { getWebsocketStream } from "./get-websocket-stream.js";
import { getWebsocketStream2 } from "./get-websocket-stream-2.js";
import { listInstanceLogs } from "./list-instance-logs.js";
import { listInstances } from "./list-instances.js";
import { listRemotes } from "./list-remotes.js";
import { listSnapshots } from "./list-snapshots.js";
import { openEventsSession } from "./open-events-session.js";
import { openExecSession } from "./open-exec-session.js";
import { pullFile } from "./pull-file.js";
import { pushFile } from "./push-file.js";
import { restartInstance } from "./restart-instance.js";
import { restoreSnapshot } from "./restore-snapshot.js";
import { startInstance } from "./start-instance.js";
import { stopInstance } from "./stop-instance.js";
import { unfreezeInstance } from "./unfreeze-instance.js";
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
  // remotes, instance state and lifecycle, logs
  listRemotes,
  getInstanceState,
  startInstance,
  stopInstance,
  restartInstance,
  freezeInstance,
  unfreezeInstance,
  listInstanceLogs,
  getInstanceLog,
  getConsoleLog,
  // files
  pullFile,
  pushFile,
  deleteFile,
  // snapshots
  listSnapshots,
  createSnapshot,
  restoreSnapshot,
  deleteSnapshot,
  // live events (a stream session)
  openEventsSession,
  // interactive (PTY) sessions + core's generic session-read/write/resize/signal/close/list
  openExecSession,
  ...sessionTools<IncusClient>(),
];
