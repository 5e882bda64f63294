import { READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import { qoveryTool } from "../qovery-tool.js";
import { environmentId } from "../schemas.js";
import { statusList } from "../summary.js";

const inputSchema = z.object({ environmentId });
const title = "List all environment container statuses";
const description =
  "Deployment state of every container in an environment: one line per container id with state (e.g. DEPLOYED, DEPLOYING, DEPLOYMENT_ERROR, STOPPED) and last deployment date.";
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
  summarize: (data) => statusList(data, "in this environment"),
});
