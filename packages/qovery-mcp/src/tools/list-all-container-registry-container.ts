import { z } from "zod";
import { qovery } from "../builder.js";
import { containerRegistryId, organizationId } from "../schemas.js";
import { statusList } from "../summary.js";

export const listAllContainerRegistryContainer = qovery.httpTool({
  name: "list-all-container-registry-container",
  title: "List all container registry container statuses",
  description:
    "Deployment state of every container, across the organization, that pulls from one container registry: one line per container id with state and last deployment date.",
  toolset: "containers",
  inputSchema: z.object({ organizationId, containerRegistryId }),
  hints: "readOnly",
  request: {
    method: "GET",
    path: "/organization/{organizationId}/containerRegistry/{containerRegistryId}/container/status",
    params: { organizationId: "path", containerRegistryId: "path" },
  },
  statusHints: { 404: "No organization with this organizationId, or no registry with this containerRegistryId in it" },
  result: (data) => statusList(data, "using this registry"),
});
