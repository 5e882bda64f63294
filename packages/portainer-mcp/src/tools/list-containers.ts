import { z } from "zod";
import { portainer } from "../builder.js";
import { endpointId } from "../schemas.js";

interface Container {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
}

export const listContainers = portainer.httpTool({
  name: "list-containers",
  title: "List containers of an environment",
  description:
    "List all containers (running and stopped) of a Docker environment through Portainer's Docker proxy: id, name, " +
    "image, state, status. Use the id or name with execute-websocket (containerId) or attach-websocket (id).",
  toolset: "containers",
  inputSchema: z.object({ endpointId }),
  hints: "readOnly",
  request: {
    method: "GET",
    path: "/api/endpoints/{endpointId}/docker/containers/json",
    params: { endpointId: "path" },
    fixedQuery: { all: "1" },
  },
  result(data) {
    const containers = ((data as Container[]) ?? []).map((c) => ({
      id: c.Id,
      name: (c.Names?.[0] ?? "").replace(/^\//, ""),
      image: c.Image ?? "",
      state: c.State ?? "",
      status: c.Status ?? "",
    }));
    const text = containers.length
      ? containers.map((c) => `${c.id.slice(0, 12)}\t${c.name}\t${c.image}\t${c.state}`).join("\n")
      : "no containers";
    return { text, structured: { containers } };
  },
});
