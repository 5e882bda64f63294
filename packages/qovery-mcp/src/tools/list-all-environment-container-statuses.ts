import { pagingArgs, READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import { PAGE, stateFilter, statusesPage } from "../lists.js";
import { qoveryTool } from "../qovery-tool.js";
import { environmentId } from "../schemas.js";

const inputSchema = z.object({ environmentId, state: stateFilter, ...pagingArgs(PAGE.statuses) });
// Qovery's summary is "List all environment container statuses"; shorter here (tools/list size).
const title = "Environment container statuses";
const description = "Deployment state and last deployment of each container in an environment.";
const annotations = READ_ONLY;

export const listAllEnvironmentContainerStatuses = qoveryTool({
  name: "list-all-environment-container-statuses",
  title,
  description,
  inputSchema,
  annotations,
  request: { method: "GET", path: "/environment/{environmentId}/container/status", params: { environmentId: "path" } },
  rest: [
    {
      method: "GET",
      path: "/v1/environment/{environmentid}/container/status",
      pathArgs: { environmentid: "environmentId" },
    },
  ],
  hints: { 404: "No environment with this environmentId" },
  summarize: (data, args) => statusesPage(data, args).text,
  structure: (data, args) => statusesPage(data, args).structured,
});
