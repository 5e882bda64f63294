import { pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { qovery } from "../builder.js";
import { PAGE, stateFilter, statusesPage } from "../lists.js";
import { environmentId } from "../schemas.js";

export const listAllEnvironmentContainerStatuses = qovery.httpTool({
  name: "list-all-environment-container-statuses",
  // Qovery's summary is "List all environment container statuses"; shorter here (tools/list size).
  title: "Environment container statuses",
  description: "Deployment state and last deployment of each container in an environment.",
  toolset: "containers",
  inputSchema: z.object({ environmentId, state: stateFilter, ...pagingArgs(PAGE.statuses) }),
  hints: "readOnly",
  request: { method: "GET", path: "/environment/{environmentId}/container/status", params: { environmentId: "path" } },
  statusHints: { 404: "No environment with this environmentId" },
  result: (data, args) => statusesPage(data, args),
});
