import { defineHttpTool, READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import type { PortainerClient } from "../config.js";
import { endpointId } from "../schemas.js";

interface Container {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
}

const inputSchema = z.object({ endpointId });

export const listContainers = defineHttpTool<PortainerClient, typeof inputSchema>({
  name: "list-containers",
  title: "List containers of an environment",
  description:
    "List all containers (running and stopped) of a Docker environment through Portainer's Docker proxy: id, name, " +
    "image, state, status. Use the id or name with execute-websocket (containerId) or attach-websocket (id).",
  inputSchema,
  annotations: READ_ONLY,
  request: {
    method: "GET",
    path: "/api/endpoints/{endpointId}/docker/containers/json",
    params: { endpointId: "path" },
    fixedQuery: { all: "1" },
  },
  structure: (data) => ({
    containers: ((data as Container[]) ?? []).map((c) => ({
      id: c.Id,
      name: (c.Names?.[0] ?? "").replace(/^\//, ""),
      image: c.Image ?? "",
      state: c.State ?? "",
      status: c.Status ?? "",
    })),
  }),
  summarize: (data) => {
    const list = (data as Container[]) ?? [];
    if (!list.length) return "no containers";
    return list
      .map(
        (c) => `${c.Id.slice(0, 12)}\t${(c.Names?.[0] ?? "").replace(/^\//, "")}\t${c.Image ?? ""}\t${c.State ?? ""}`,
      )
      .join("\n");
  },
});
