import { z } from "zod";
import { qoveryTool } from "../qovery-tool.js";
import { imageTag, organizationId } from "../schemas.js";

const inputSchema = z.object({ organizationId, ...imageTag });
const title = "Preview container environments";
const description =
  "Organization-wide: creates preview environments running the given tag for every container using image_name at a different tag with preview enabled (auto_preview). Existing environments are untouched (202).";
const annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };

export const previewContainerEnvironments = qoveryTool({
  name: "preview-container-environments",
  title,
  description,
  inputSchema,
  annotations,
  request: {
    method: "POST",
    path: "/organization/{organizationId}/container/preview",
    params: { organizationId: "path", image_name: "body", tag: "body" },
  },
  rest: [
    {
      method: "POST",
      path: "/v1/organization/{organizationid}/container/preview",
      pathArgs: { organizationid: "organizationId" },
      body: "merge",
    },
  ],
  hints: {
    404: "No organization with this organizationId",
    409: "An operation is already in progress; retry when it ends",
  },
  summarize: (data, args) => {
    const s = (data ?? {}) as Record<string, unknown>;
    const state = typeof s.state === "string" ? ` (state ${s.state})` : "";
    return `Preview environments for ${args.image_name}:${args.tag} requested${state}.`;
  },
});
