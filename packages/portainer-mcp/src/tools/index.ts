import type { AnyTool } from "@infra-mcp/core";
import { portainer } from "../builder.js";
import type { PortainerClient } from "../config.js";
import { attachWebsocket } from "./attach-websocket.js";
import { executeWebsocket } from "./execute-websocket.js";
import { openKubectlShellSession } from "./execute-websocket-kubectl-shell-pod.js";
import { executeWebsocketPod } from "./execute-websocket-pod.js";
import { listContainers } from "./list-containers.js";
import { listEnvironments } from "./list-environments.js";

/** The portainer-mcp tool table: one line per tool, one file per tool beside this one. REST routes: ../routes.ts. */
export const tools: AnyTool<PortainerClient>[] = [
  listEnvironments,
  listContainers,
  executeWebsocket,
  attachWebsocket,
  executeWebsocketPod,
  openKubectlShellSession,
  ...portainer.sessionTools(),
];
