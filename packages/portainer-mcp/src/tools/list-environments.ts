import { defineHttpTool, READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import type { PortainerClient } from "../config.js";

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

const inputSchema = z.object({
  search: z.string().max(256).optional().describe("Only environments whose name contains this"),
});

export const listEnvironments = defineHttpTool<PortainerClient, typeof inputSchema>({
  name: "list-environments",
  title: "List Portainer environments",
  description:
    "List Portainer environments (endpoints): id, name, type (docker / kubernetes / agent kinds), status (1 up, 2 down). " +
    "The id is the endpointId every other tool needs; docker types work with execute-websocket and attach-websocket, " +
    "kubernetes types with the pod and kubectl-shell tools.",
  inputSchema,
  annotations: READ_ONLY,
  request: { method: "GET", path: "/api/endpoints", params: { search: "query" } },
  structure: (data) => ({
    environments: ((data as Endpoint[]) ?? []).map((e) => ({
      id: e.Id,
      name: e.Name,
      type: TYPES[e.Type] ?? `type-${e.Type}`,
      status: e.Status === 1 ? "up" : e.Status === 2 ? "down" : String(e.Status ?? "unknown"),
      ...(e.URL ? { url: e.URL } : {}),
    })),
  }),
  summarize: (data) => {
    const list = (data as Endpoint[]) ?? [];
    if (!list.length) return "no environments";
    return list
      .map(
        (e) =>
          `${e.Id}\t${e.Name}\t${TYPES[e.Type] ?? e.Type}\t${e.Status === 1 ? "up" : e.Status === 2 ? "down" : "?"}`,
      )
      .join("\n");
  },
});
