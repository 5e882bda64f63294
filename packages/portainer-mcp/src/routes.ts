import { type AnyRoute, route } from "@infra-mcp/core";
import { openAttachBridge, openExecBridge, openKubectlShell, openPodBridge } from "./bridges.js";
import type { PortainerClient } from "./config.js";
import { attachWebsocket } from "./tools/attach-websocket.js";
import { executeWebsocket } from "./tools/execute-websocket.js";
import { openKubectlShellSession } from "./tools/execute-websocket-kubectl-shell-pod.js";
import { executeWebsocketPod } from "./tools/execute-websocket-pod.js";
import { getContainerLogs } from "./tools/get-container-logs.js";
import { getContainerStats } from "./tools/get-container-stats.js";
import { getPod } from "./tools/get-pod.js";
import { getPodLogs } from "./tools/get-pod-logs.js";
import { inspectContainer } from "./tools/inspect-container.js";
import { killContainer } from "./tools/kill-container.js";
import { listNamespaces } from "./tools/list-namespaces.js";
import { listPods } from "./tools/list-pods.js";
import { restartContainer } from "./tools/restart-container.js";
import { startContainer } from "./tools/start-container.js";
import { stopContainer } from "./tools/stop-container.js";

const CONTAINER = "/v1/endpoints/{endpointid}/docker/containers/{containerid}";
const container = { pathArgs: { endpointid: "endpointId", containerid: "containerId" } };
const K8S = "/v1/endpoints/{endpointid}/kubernetes/api/v1";
const k8s = { pathArgs: { endpointid: "endpointId", podname: "podName" } };

/**
 * The REST surface (--rest): route → tool. The seed's websocket routes bridge an Upgrade, frame
 * for frame, to the Portainer websocket the route's opener returns (the one the tool's handler
 * opens too); the credential stays in this process, and a plain GET runs the tool once. The other
 * routes are seed style: the Portainer path under /v1, without /api.
 */
export const routes: AnyRoute<PortainerClient>[] = [
  // The exec is created as given (no sh wrapping), or execId is started.
  route("GET /v1/websocket/exec", executeWebsocket, {
    openUpstreamSocket: async (args, ctx) =>
      (await openExecBridge(ctx.client, args, { attachStdin: true }, ctx.signal)).ws,
  }),
  route("GET /v1/websocket/attach", attachWebsocket, {
    openUpstreamSocket: async (args, ctx) => (await openAttachBridge(ctx.client, args, ctx.signal)).ws,
  }),
  route("GET /v1/websocket/pod", executeWebsocketPod, {
    openUpstreamSocket: async (args, ctx) => (await openPodBridge(ctx.client, args, ctx.signal)).ws,
  }),
  route("GET /v1/websocket/kubernetes-shell", openKubectlShellSession, {
    openUpstreamSocket: (args, ctx) => openKubectlShell(ctx.client, args.endpointId, ctx.signal),
  }),
  // containers and pods
  route(`GET ${CONTAINER}/logs`, getContainerLogs, container),
  route(`GET ${CONTAINER}/json`, inspectContainer, container),
  route(`GET ${CONTAINER}/stats`, getContainerStats, container),
  route(`POST ${CONTAINER}/start`, startContainer, container),
  route(`POST ${CONTAINER}/stop`, stopContainer, container),
  route(`POST ${CONTAINER}/restart`, restartContainer, container),
  route(`POST ${CONTAINER}/kill`, killContainer, container),
  route(`GET ${K8S}/namespaces`, listNamespaces, k8s),
  route(`GET ${K8S}/pods`, listPods, k8s),
  route(`GET ${K8S}/namespaces/{namespace}/pods`, listPods, k8s),
  route(`GET ${K8S}/namespaces/{namespace}/pods/{podname}`, getPod, k8s),
  route(`GET ${K8S}/namespaces/{namespace}/pods/{podname}/log`, getPodLogs, k8s),
];
