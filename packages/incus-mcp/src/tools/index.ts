import { route } from "@infra-mcp/core";
import { incus } from "../builder.js";
import { openEventsSocket } from "../events.js";
import { openOperationSocket } from "../stream.js";
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

const instance = { pathArgs: { name: "instance" } };
const instanceBody = { pathArgs: { name: "instance" }, body: "merge" };

/**
 * The incus-mcp table: one line per tool (one file per tool beside this one; a seed twin is a
 * variant in its tool's file), in tools/list order. A tool the seed serves over REST is written
 * as its route, seed style (`/v1` + the Incus path, dots as dashes). Incus has one `PUT …/state`
 * for five tools and no path of its own for a restore, so those get a suffix, as the seed does
 * for its twins (`wait-public`). A websocket route's Upgrade is bridged to the socket its opener
 * returns, the same one the tool's handler reads. ../index.ts gives every tool its `remote`.
 */
export const table = incus.table([
  // the seed's operations surface
  route("GET /v1/1-0/operations", listOperationIds),
  route("GET /v1/1-0/operations-recursion-1", listOperations),
  route("GET /v1/1-0/operations/{id}", getOperation),
  route("DELETE /v1/1-0/operations/{id}", cancelOperation),
  route("GET /v1/1-0/operations/{id}/wait", waitForOperation),
  route("GET /v1/1-0/operations/{id}/wait-public", waitForOperationPublic),
  route("GET /v1/1-0/operations/{id}/websocket", readOperationStream, {
    openUpstreamSocket: (args, ctx) => openOperationSocket(ctx.client, args, readOperationStream.options, ctx.signal),
  }),
  route("GET /v1/1-0/operations/{id}/websocket-public", readOperationStreamPublic, {
    openUpstreamSocket: (args, ctx) =>
      openOperationSocket(ctx.client, args, readOperationStreamPublic.options, ctx.signal),
  }),
  // beyond the seed: find instances, run commands
  listInstances,
  execInInstance,
  // remotes, instance state and lifecycle, logs
  route("GET /v1/remotes", listRemotes),
  route("GET /v1/1-0/instances/{name}/state", getInstanceState, instance),
  route("PUT /v1/1-0/instances/{name}/state-start", startInstance, instanceBody),
  route("PUT /v1/1-0/instances/{name}/state-stop", stopInstance, instanceBody),
  route("PUT /v1/1-0/instances/{name}/state-restart", restartInstance, instanceBody),
  route("PUT /v1/1-0/instances/{name}/state-freeze", freezeInstance, instanceBody),
  route("PUT /v1/1-0/instances/{name}/state-unfreeze", unfreezeInstance, instanceBody),
  route("GET /v1/1-0/instances/{name}/logs", listInstanceLogs, instance),
  route("GET /v1/1-0/instances/{name}/logs/{filename}", getInstanceLog, {
    pathArgs: { name: "instance", filename: "file" },
  }),
  route("GET /v1/1-0/instances/{name}/console", getConsoleLog, instance),
  // files
  route("GET /v1/1-0/instances/{name}/files", pullFile, instance),
  route("POST /v1/1-0/instances/{name}/files", pushFile, instanceBody),
  route("DELETE /v1/1-0/instances/{name}/files", deleteFile, instance),
  // snapshots
  route("GET /v1/1-0/instances/{name}/snapshots", listSnapshots, instance),
  route("POST /v1/1-0/instances/{name}/snapshots", createSnapshot, instanceBody),
  route("PUT /v1/1-0/instances/{name}/snapshots/{snapshot}/restore", restoreSnapshot, instanceBody),
  route("DELETE /v1/1-0/instances/{name}/snapshots/{snapshot}", deleteSnapshot, instance),
  // live events (a stream session)
  route("GET /v1/1-0/events", openEventsSession, {
    openUpstreamSocket: (args, ctx) => openEventsSocket(ctx.client, args, ctx.signal),
  }),
  // interactive (PTY) sessions + core's generic session-read/write/resize/signal/close/list
  openExecSession,
  ...incus.sessionTools(),
]);
