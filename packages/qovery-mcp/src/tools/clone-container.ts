import { z } from "zod";
import { qoveryTool } from "../qovery-tool.js";
import { containerId, environmentId } from "../schemas.js";
import { containerLine } from "../summary.js";

const inputSchema = z.object({
  containerId,
  name: z.string().min(1).describe("name of the new container"),
  environment_id: environmentId.describe("target environment id (uuid); may be the same environment"),
});
const title = "Clone container";
const description =
  "Creates a new container with the same configuration as containerId in environment_id (Qovery answers 202: the clone is requested, not deployed). Returns the new container.";
const annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };

export const cloneContainer = qoveryTool({
  name: "clone-container",
  title,
  description,
  inputSchema,
  annotations,
  request: {
    method: "POST",
    path: "/container/{containerId}/clone",
    params: { containerId: "path", name: "body", environment_id: "body" },
  },
  rest: [
    {
      method: "POST",
      path: "/v1/container/{containerid}/clone",
      pathArgs: { containerid: "containerId" },
      body: "merge",
    },
  ],
  hints: {
    404: "No container with this containerId, or no environment with this environment_id",
    409: "An operation is in progress on this container, or the name is taken in the target environment",
  },
  summarize: (data) =>
    data && typeof data === "object"
      ? `Clone requested: ${containerLine(data as Record<string, unknown>, "not deployed")}`
      : "Clone requested.",
});
