import { z } from "zod";
import { qovery } from "../builder.js";
import { imageTag, organizationId } from "../schemas.js";

/**
 * Qovery's two organization-wide image endpoints, POST …/container/deploy and …/preview: the same
 * body, the same 202 with a state, and two seed tools.
 */
export const autoDeployContainers = qovery.httpTool({
  name: "auto-deploy-containers",
  title: "Auto deploy containers",
  description:
    "Organization-wide: redeploys, with the new tag, every container using image_name at a different tag whose environment has auto-deploy enabled. Replaces running versions (202: deployments queued).",
  toolset: "deployments",
  inputSchema: z.object({ organizationId, ...imageTag }),
  hints: "destructiveIdempotent",
  /** endpoint: the path's last segment; done: what the answer says was requested. */
  options: { endpoint: "deploy", done: (image: string) => `Auto-deploy of ${image} requested` },
  request: (options) => ({
    method: "POST",
    path: `/organization/{organizationId}/container/${options.endpoint}`,
    params: { organizationId: "path", image_name: "body", tag: "body" },
  }),
  statusHints: {
    404: "No organization with this organizationId",
    409: "A deployment is already in progress; retry when it ends",
  },
  result: (data, args, options) => {
    const s = (data ?? {}) as Record<string, unknown>;
    const state = typeof s.state === "string" ? ` (state ${s.state})` : "";
    return `${options.done(`${args.image_name}:${args.tag}`)}${state}.`;
  },
});

export const previewContainerEnvironments = autoDeployContainers.variant({
  name: "preview-container-environments",
  title: "Preview container environments",
  description:
    "Organization-wide: creates preview environments running the tag for every container using image_name at another tag with auto_preview on. Existing environments are untouched (202).",
  hints: "write",
  options: { endpoint: "preview", done: (image) => `Preview environments for ${image} requested` },
  statusHints: {
    404: "No organization with this organizationId",
    409: "An operation is already in progress; retry when it ends",
  },
});
