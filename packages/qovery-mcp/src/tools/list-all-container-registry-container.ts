import { READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import { qoveryTool } from "../qovery-tool.js";
import { containerRegistryId, organizationId } from "../schemas.js";
import { statusList } from "../summary.js";

const inputSchema = z.object({ organizationId, containerRegistryId });
const title = "List all container registry container statuses";
const description =
  "Deployment state of every container, across the organization, that pulls from one container registry: one line per container id with state and last deployment date.";
const annotations = READ_ONLY;

export const listAllContainerRegistryContainer = qoveryTool({
  name: "list-all-container-registry-container",
  title,
  description,
  inputSchema,
  annotations,
  request: {
    method: "GET",
    path: "/organization/{organizationId}/containerRegistry/{containerRegistryId}/container/status",
    params: { organizationId: "path", containerRegistryId: "path" },
  },
  rest: [
    {
      method: "GET",
      path: "/v1/organization/{organizationid}/containerregistry/{containerregistryid}/container/status",
      pathArgs: { organizationid: "organizationId", containerregistryid: "containerRegistryId" },
    },
  ],
  hints: { 404: "No organization with this organizationId, or no registry with this containerRegistryId in it" },
  summarize: (data) => statusList(data, "using this registry"),
});
