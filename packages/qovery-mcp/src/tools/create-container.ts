import { z } from "zod";
import { qoveryTool } from "../qovery-tool.js";
import { containerRequest, environmentId } from "../schemas.js";
import { containerLine } from "../summary.js";

const inputSchema = z.object({ environmentId, ...containerRequest });
const title = "Create a container";
const description =
  "Create a container service from a registry image in an environment (not deployed). The other fields are Qovery's ContainerRequest body. Returns the container.";
const annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };

const bodyFields = Object.fromEntries(Object.keys(containerRequest).map((k) => [k, "body" as const]));

export const createContainer = qoveryTool({
  name: "create-container",
  title,
  description,
  inputSchema,
  annotations,
  request: {
    method: "POST",
    path: "/environment/{environmentId}/container",
    params: { environmentId: "path", ...bodyFields },
  },
  rest: [
    {
      method: "POST",
      path: "/v1/environment/{environmentid}/container",
      pathArgs: { environmentid: "environmentId" },
      body: "merge",
    },
  ],
  hints: {
    404: "No environment with this environmentId (or registry_id is unknown)",
    409: "A container with this name already exists in the environment (names are case-insensitive); pick another name",
  },
  summarize: (data) =>
    data && typeof data === "object"
      ? `Created: ${containerLine(data as Record<string, unknown>, "not deployed")}`
      : "Created.",
});
