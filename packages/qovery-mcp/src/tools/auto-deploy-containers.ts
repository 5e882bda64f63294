import { z } from "zod";
import { qovery } from "../builder.js";
import { imageTag, organizationId } from "../schemas.js";

export const autoDeployContainers = qovery.httpTool({
  name: "auto-deploy-containers",
  title: "Auto deploy containers",
  description:
    "Organization-wide: redeploys, with the new tag, every container using image_name at a different tag whose environment has auto-deploy enabled. Replaces running versions (202: deployments queued).",
  toolset: "deployments",
  inputSchema: z.object({ organizationId, ...imageTag }),
  hints: "destructiveIdempotent",
  request: {
    method: "POST",
    path: "/organization/{organizationId}/container/deploy",
    params: { organizationId: "path", image_name: "body", tag: "body" },
  },
  statusHints: {
    404: "No organization with this organizationId",
    409: "A deployment is already in progress; retry when it ends",
  },
  result: (data, args) => {
    const s = (data ?? {}) as Record<string, unknown>;
    const state = typeof s.state === "string" ? ` (state ${s.state})` : "";
    return `Auto-deploy of ${args.image_name}:${args.tag} requested${state}.`;
  },
});
