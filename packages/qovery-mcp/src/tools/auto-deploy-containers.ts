import { z } from "zod";
import { qoveryTool } from "../qovery-tool.js";
import { imageTag, organizationId } from "../schemas.js";

const inputSchema = z.object({ organizationId, ...imageTag });
const title = "Auto deploy containers";
const description =
  "Organization-wide: redeploys, with the new tag, every container using image_name at a different tag whose environment has auto-deploy enabled. Replaces running versions (202: deployments queued).";
const annotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true };

export const autoDeployContainers = qoveryTool({
  name: "auto-deploy-containers",
  title,
  description,
  inputSchema,
  annotations,
  request: {
    method: "POST",
    path: "/organization/{organizationId}/container/deploy",
    params: { organizationId: "path", image_name: "body", tag: "body" },
  },
  rest: [
    {
      method: "POST",
      path: "/v1/organization/{organizationid}/container/deploy",
      pathArgs: { organizationid: "organizationId" },
      body: "merge",
    },
  ],
  hints: {
    404: "No organization with this organizationId",
    409: "A deployment is already in progress; retry when it ends",
  },
  summarize: (data, args) => {
    const s = (data ?? {}) as Record<string, unknown>;
    const state = typeof s.state === "string" ? ` (state ${s.state})` : "";
    return `Auto-deploy of ${args.image_name}:${args.tag} requested${state}.`;
  },
});
