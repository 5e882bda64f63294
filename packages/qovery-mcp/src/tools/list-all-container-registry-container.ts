import { pagingArgs, READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import { PAGE, stateFilter, statusesPage } from "../lists.js";
import { qoveryTool } from "../qovery-tool.js";
import { containerRegistryId, organizationId } from "../schemas.js";

const inputSchema = z.object({
  organizationId,
  containerRegistryId,
  state: stateFilter,
  ...pagingArgs(PAGE.statuses),
});
// Qovery's summary is "List all container registry container statuses"; shorter here (tools/list size).
const title = "Registry container statuses";
const description = "Deployment states of the organization's containers using this registry.";
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
  summarize: (data, args) => statusesPage(data, args).text,
  structure: (data, args) => statusesPage(data, args).structured,
});
