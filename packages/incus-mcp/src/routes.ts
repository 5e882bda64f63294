import { type AnyRoute, route } from "@infra-mcp/core";
import type { IncusClient } from "./config.js";
import { openEventsSocket } from "./events.js";
import { openOperationSocket } from "./stream.js";
import { cancelOperation } from "./tools/cancel-operation.js";
import { createSnapshot } from "./tools/create-snapshot.js";
import { deleteFile } from "./tools/delete-file.js";
import { deleteSnapshot } from "./tools/delete-snapshot.js";
import { freezeInstance } from "./tools/freeze-instance.js";
import { getConsoleLog } from "./tools/get-console-log.js";
import { getInstanceLog } from "./tools/get-instance-log.js";
import { getInstanceState } from "./tools/get-instance-state.js";
import { getOperation } from "./tools/get-operation-state.js";
import { listOperationIds, listOperations } from "./tools/get-operations.js";
import { readOperationStream, readOperationStreamPublic } from "./tools/get-websocket-stream.js";
import { listInstanceLogs } from "./tools/list-instance-logs.js";
import { listRemotes } from "./tools/list-remotes.js";
import { listSnapshots } from "./tools/list-snapshots.js";
import { openEventsSession } from "./tools/open-events-session.js";
import { pullFile } from "./tools/pull-file.js";
import { pushFile } from "./tools/push-file.js";
import { restartInstance } from "./tools/restart-instance.js";
import { restoreSnapshot } from "./tools/restore-snapshot.js";
import { startInstance } from "./tools/start-instance.js";
import { stopInstance } from "./tools/stop-instance.js";
import { unfreezeInstance } from "./tools/unfreeze-instance.js";
import { waitForOperation, waitForOperationPublic } from "./tools/wait-operation.js";

const instance = { pathArgs: { name: "instance" } };
const instanceBody = { pathArgs: { name: "instance" }, body: "merge" };

/**
 * The REST surface (--rest): route → tool, seed style (`/v1` + the Incus path, dots as dashes).
 * Incus has one `PUT …/state` for five tools and no path of its own for a restore, so those get a
 * suffix, as the seed does for its twins (`wait-public`). A websocket route's Upgrade is bridged
 * to the socket its opener returns, the same one the tool's handler reads.
 */
export const routes: AnyRoute<IncusClient>[] = [
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
  // live events: the daemon's event websocket, credential applied here
  route("GET /v1/1-0/events", openEventsSession, {
    openUpstreamSocket: (args, ctx) => openEventsSocket(ctx.client, args, ctx.signal),
  }),
];
