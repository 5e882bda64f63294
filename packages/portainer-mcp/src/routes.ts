import { type AnyRoute, route } from "@infra-mcp/core";
import { openAttachBridge, openExecBridge, openKubectlShell, openPodBridge } from "./bridges.js";
import type { PortainerClient } from "./config.js";
import { attachWebsocket } from "./tools/attach-websocket.js";
import { executeWebsocket } from "./tools/execute-websocket.js";
import { openKubectlShellSession } from "./tools/execute-websocket-kubectl-shell-pod.js";
import { executeWebsocketPod } from "./tools/execute-websocket-pod.js";

/**
 * The seed's REST surface (--rest): route → tool. An Upgrade is bridged, frame for frame, to the
 * Portainer websocket the route's opener returns (the one the tool's handler opens too); the
 * credential stays in this process. A plain GET runs the tool once.
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
];
