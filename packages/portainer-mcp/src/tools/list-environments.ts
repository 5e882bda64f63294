import { z } from "zod";
import { portainer } from "../builder.js";

interface Endpoint {
  Id: number;
  Name: string;
  Type: number;
  URL?: string;
  Status?: number;
}

// Portainer's EndpointType values.
const TYPES: Record<number, string> = {
  1: "docker",
  2: "docker-agent",
  3: "azure",
  4: "docker-edge-agent",
  5: "kubernetes-local",
  6: "kubernetes-agent",
  7: "kubernetes-edge-agent",
};

export const listEnvironments = portainer.httpTool({
  name: "list-environments",
  title: "List Portainer environments",
  description:
    "List Portainer environments (endpoints): id, name, type (docker / kubernetes / agent kinds), status (1 up, 2 down). " +
    "The id is the endpointId every other tool needs; docker types work with execute-websocket and attach-websocket, " +
    "kubernetes types with the pod and kubectl-shell tools.",
  toolset: "environments",
  inputSchema: z.object({
    search: z.string().max(256).optional().describe("Only environments whose name contains this"),
  }),
  hints: "readOnly",
  request: { method: "GET", path: "/api/endpoints", params: { search: "query" } },
  result(data) {
    const environments = ((data as Endpoint[]) ?? []).map((e) => ({
      id: e.Id,
      name: e.Name,
      type: TYPES[e.Type] ?? `type-${e.Type}`,
      status: e.Status === 1 ? "up" : e.Status === 2 ? "down" : String(e.Status ?? "unknown"),
      ...(e.URL ? { url: e.URL } : {}),
    }));
    const text = environments.length
      ? environments.map((e) => `${e.id}\t${e.name}\t${e.type}\t${e.status}`).join("\n")
      : "no environments";
    return { text, structured: { environments } };
  },
});
