import { z } from "zod";
import { qovery } from "../builder.js";
import { containerId, environmentId } from "../schemas.js";
import { containerLine } from "../summary.js";

const inputSchema = z.object({
  containerId,
  name: z.string().min(1).describe("name of the new container"),
  environment_id: environmentId.describe("target environment id (uuid); may be the same environment"),
});

export const cloneContainer = qovery.httpTool({
  name: "clone-container",
  title: "Clone container",
  description:
    "Creates a new container with the same configuration as containerId in environment_id (Qovery answers 202: the clone is requested, not deployed). Returns the new container.",
  toolset: "containers",
  checkWith: "list-containers",
  inputSchema,
  hints: "write",
  request: {
    method: "POST",
    path: "/container/{containerId}/clone",
    params: { containerId: "path", name: "body", environment_id: "body" },
  },
  statusHints: {
    404: "No container with this containerId, or no environment with this environment_id",
    409: "An operation is in progress on this container, or the name is taken in the target environment",
  },
  result: (data) =>
    data && typeof data === "object"
      ? `Clone requested: ${containerLine(data as Record<string, unknown>, "not deployed")}`
      : "Clone requested.",
});
