import { z } from "zod";
import { qovery } from "../builder.js";
import { environmentId } from "../schemas.js";
import { statusList } from "../summary.js";

export const listAllEnvironmentContainerStatuses = qovery.httpTool({
  name: "list-all-environment-container-statuses",
  title: "List all environment container statuses",
  description:
    "Deployment state of every container in an environment: one line per container id with state (e.g. DEPLOYED, DEPLOYING, DEPLOYMENT_ERROR, STOPPED) and last deployment date.",
  toolset: "containers",
  inputSchema: z.object({ environmentId }),
  hints: "readOnly",
  request: { method: "GET", path: "/environment/{environmentId}/container/status", params: { environmentId: "path" } },
  statusHints: { 404: "No environment with this environmentId" },
  result: (data) => statusList(data, "in this environment"),
});
