import { z } from "zod";
import { qovery } from "../builder.js";
import { containerRequest, environmentId } from "../schemas.js";
import { containerLine } from "../summary.js";

const bodyFields = Object.fromEntries(Object.keys(containerRequest).map((k) => [k, "body" as const]));

export const createContainer = qovery.httpTool({
  name: "create-container",
  title: "Create a container",
  description:
    "Create a container service from a registry image in an environment (not deployed); the other fields are Qovery's ContainerRequest. Returns the container.",
  toolset: "containers",
  checkWith: "list-containers",
  inputSchema: z.object({ environmentId, ...containerRequest }),
  hints: "write",
  request: {
    method: "POST",
    path: "/environment/{environmentId}/container",
    params: { environmentId: "path", ...bodyFields },
  },
  statusHints: {
    404: "No environment with this environmentId (or registry_id is unknown)",
    409: "A container with this name already exists in the environment (names are case-insensitive); pick another name",
  },
  result: (data) =>
    data && typeof data === "object"
      ? `Created: ${containerLine(data as Record<string, unknown>, "not deployed")}`
      : "Created.",
});
