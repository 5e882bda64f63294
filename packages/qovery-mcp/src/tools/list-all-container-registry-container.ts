import { pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { qovery } from "../builder.js";
import { PAGE, stateFilter, statusesPage } from "../lists.js";
import { containerRegistryId, organizationId } from "../schemas.js";

export const listAllContainerRegistryContainer = qovery.httpTool({
  name: "list-all-container-registry-container",
  // Qovery's summary is "List all container registry container statuses"; shorter here (tools/list size).
  title: "Registry container statuses",
  description: "Deployment states of the organization's containers using this registry.",
  toolset: "containers",
  inputSchema: z.object({ organizationId, containerRegistryId, state: stateFilter, ...pagingArgs(PAGE.statuses) }),
  hints: "readOnly",
  request: {
    method: "GET",
    path: "/organization/{organizationId}/containerRegistry/{containerRegistryId}/container/status",
    params: { organizationId: "path", containerRegistryId: "path" },
  },
  statusHints: { 404: "No organization with this organizationId, or no registry with this containerRegistryId in it" },
  result: (data, args) => statusesPage(data, args),
});
