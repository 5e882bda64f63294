import { route } from "@infra-mcp/core";
import { openAttachBridge, openExecBridge, openKubectlShell, openPodBridge } from "../bridges.js";
import { portainer } from "../builder.js";
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
import { startContainer } from "./start-container.js";
import { restartContainer, stopContainer } from "./stop-container.js";

const CONTAINER = "/v1/endpoints/{endpointid}/docker/containers/{containerid}";
const container = { pathArgs: { endpointid: "endpointId", containerid: "containerId" } };
const K8S = "/v1/endpoints/{endpointid}/kubernetes/api/v1";
const k8s = { pathArgs: { endpointid: "endpointId", podname: "podName" } };

/**
 * The portainer-mcp table: one line per tool (one file per tool beside this one; a seed twin is a
 * variant in its tool's file), in tools/list order. A tool served over REST is written as its
 * route: seed style, the Portainer path under /v1 without /api (a second route of the same tool
 * is one more line). The seed's websocket routes bridge an Upgrade, frame for frame, to the
 * Portainer websocket the route's opener returns (the one the tool's handler opens too); the
 * credential stays in this process, and a plain GET runs the tool once.
 */
export const { tools, routes } = portainer.table([
  listEnvironments,
  listContainers,
  route(`GET ${CONTAINER}/json`, inspectContainer, container),
  route(`GET ${CONTAINER}/logs`, getContainerLogs, container),
  route(`GET ${CONTAINER}/stats`, getContainerStats, container),
  route(`POST ${CONTAINER}/start`, startContainer, container),
  route(`POST ${CONTAINER}/stop`, stopContainer, container),
  route(`POST ${CONTAINER}/restart`, restartContainer, container),
  route(`POST ${CONTAINER}/kill`, killContainer, container),
  // The exec is created as given (no sh wrapping), or execId is started.
  route("GET /v1/websocket/exec", executeWebsocket, {
    openUpstreamSocket: async (args, ctx) =>
      (await openExecBridge(ctx.client, args, { attachStdin: true }, ctx.signal)).ws,
  }),
  route("GET /v1/websocket/attach", attachWebsocket, {
    openUpstreamSocket: async (args, ctx) => (await openAttachBridge(ctx.client, args, ctx.signal)).ws,
  }),
  route(`GET ${K8S}/namespaces`, listNamespaces, k8s),
  route(`GET ${K8S}/pods`, listPods, k8s),
  route(`GET ${K8S}/namespaces/{namespace}/pods`, listPods, k8s),
  route(`GET ${K8S}/namespaces/{namespace}/pods/{podname}`, getPod, k8s),
  route("GET /v1/websocket/pod", executeWebsocketPod, {
    openUpstreamSocket: async (args, ctx) => (await openPodBridge(ctx.client, args, ctx.signal)).ws,
  }),
  route("GET /v1/websocket/kubernetes-shell", openKubectlShellSession, {
    openUpstreamSocket: (args, ctx) => openKubectlShell(ctx.client, args.endpointId, ctx.signal),
  }),
  route(`GET ${K8S}/namespaces/{namespace}/pods/{podname}/log`, getPodLogs, k8s),
  ...portainer.sessionTools(),
]);
