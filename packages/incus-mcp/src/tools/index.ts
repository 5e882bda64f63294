import type { AnyTool } from "@infra-mcp/core";
import { incus } from "../builder.js";
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
import { getOperation } from "./get-operation-state.js";
import { listOperationIds, listOperations } from "./get-operations.js";
import { readOperationStream, readOperationStreamPublic } from "./get-websocket-stream.js";
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
  ...incus.sessionTools(),
];
