import { z } from "zod";
import { qovery } from "../builder.js";
import { getStatus } from "../lifecycle.js";
import { containerId } from "../schemas.js";
import { statusLine } from "../summary.js";

export const getContainerStatus = qovery.tool({
  name: "get-container-status",
  title: "Get container status",
  description:
    "State (DEPLOYED, DEPLOYING, DEPLOYMENT_ERROR, STOPPED…), whether the latest config runs, last deployment.",
  toolset: "containers",
  inputSchema: z.object({ containerId }),
  hints: "readOnly",
  async handler(args, ctx) {
    const status = await getStatus(ctx.client, args.containerId, ctx.signal);
    return { text: statusLine(status), structured: status };
  },
});
