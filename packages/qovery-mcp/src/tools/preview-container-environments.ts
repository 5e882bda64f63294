import { z } from "zod";
import { qovery } from "../builder.js";
import { imageTag, organizationId } from "../schemas.js";

export const previewContainerEnvironments = qovery.httpTool({
  name: "preview-container-environments",
  title: "Preview container environments",
  description:
    "Organization-wide: creates preview environments running the tag for every container using image_name at another tag with auto_preview on. Existing environments are untouched (202).",
  toolset: "deployments",
  inputSchema: z.object({ organizationId, ...imageTag }),
  hints: "write",
  request: {
    method: "POST",
    path: "/organization/{organizationId}/container/preview",
    params: { organizationId: "path", image_name: "body", tag: "body" },
  },
  statusHints: {
    404: "No organization with this organizationId",
    409: "An operation is already in progress; retry when it ends",
  },
  result: (data, args) => {
    const s = (data ?? {}) as Record<string, unknown>;
    const state = typeof s.state === "string" ? ` (state ${s.state})` : "";
    return `Preview environments for ${args.image_name}:${args.tag} requested${state}.`;
  },
});
