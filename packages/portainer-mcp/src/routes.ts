import type { AnyTool, RestRoute } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";

/**
 * REST routes (seed style: the Portainer path under /v1, without /api) of the container and pod
 * tools, keyed by tool name. Tools written with the builder carry no routes of their own; this
 * table attaches them, so moving them into a shared per-vendor route table is one cut and paste.
 */
const CONTAINER = "/v1/endpoints/{endpointid}/docker/containers/{containerid}";
const containerArgs = { endpointid: "endpointId", containerid: "containerId" };

export const containerToolRoutes: Record<string, readonly RestRoute[]> = {
  "get-container-logs": [{ method: "GET", path: `${CONTAINER}/logs`, pathArgs: containerArgs }],
  "inspect-container": [{ method: "GET", path: `${CONTAINER}/json`, pathArgs: containerArgs }],
  "get-container-stats": [{ method: "GET", path: `${CONTAINER}/stats`, pathArgs: containerArgs }],
  "start-container": [{ method: "POST", path: `${CONTAINER}/start`, pathArgs: containerArgs }],
  "stop-container": [{ method: "POST", path: `${CONTAINER}/stop`, pathArgs: containerArgs }],
  "restart-container": [{ method: "POST", path: `${CONTAINER}/restart`, pathArgs: containerArgs }],
  "kill-container": [{ method: "POST", path: `${CONTAINER}/kill`, pathArgs: containerArgs }],
  "get-pod-logs": [
    {
      method: "GET",
      path: "/v1/endpoints/{endpointid}/kubernetes/api/v1/namespaces/{namespace}/pods/{podname}/log",
      pathArgs: { endpointid: "endpointId", podname: "podName" },
    },
  ],
};

export function withRoutes(
  tools: readonly AnyTool<PortainerClient>[],
  routes: Record<string, readonly RestRoute[]>,
): AnyTool<PortainerClient>[] {
  return tools.map((tool) => {
    const extra = routes[tool.name];
    return extra ? { ...tool, rest: [...(tool.rest ?? []), ...extra] } : tool;
  });
}
