import type { AnyTool } from "@infra-mcp/core";
import { portainer } from "../builder.js";
import type { PortainerClient } from "../config.js";
import { attachWebsocket } from "./attach-websocket.js";
import { executeWebsocket } from "./execute-websocket.js";
import { openKubectlShellSession } from "./execute-websocket-kubectl-shell-pod.js";
import { executeWebsocketPod } from "./execute-websocket-pod.js";
import { getContainerLogs } from "./get-container-logs.js";
import { getContainerStats } from "./get-container-stats.js";
import { getPod } from "./get-pod.js";
import { getPodLogs } from "./get-pod-logs.js";
import { inspectContainer } from "./inspect-container.js";
import { killContainer } from "./kill-container.js";
import { listContainers } from "./list-containers.js";
import { listEnvironments } from "./list-environments.js";
import { listNamespaces } from "./list-namespaces.js";
import { listPods } from "./list-pods.js";
import { restartContainer } from "./restart-container.js";
import { startContainer } from "./start-container.js";
import { stopContainer } from "./stop-container.js";

/** The portainer-mcp tool table: one line per tool, one file per tool beside this one. REST routes: ../routes.ts. */
export const tools: AnyTool<PortainerClient>[] = [
  listEnvironments,
  listContainers,
  inspectContainer,
  getContainerLogs,
  getContainerStats,
  startContainer,
  stopContainer,
  restartContainer,
  killContainer,
  executeWebsocket,
  attachWebsocket,
  listNamespaces,
  listPods,
  getPod,
  executeWebsocketPod,
  openKubectlShellSession,
  getPodLogs,
  ...portainer.sessionTools(),
];
