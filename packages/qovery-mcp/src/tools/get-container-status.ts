import { z } from "zod";
import { qovery } from "../builder.js";
import { getStatus } from "../lifecycle.js";
import { containerId } from "../schemas.js";
import { statusLine } from "../summary.js";

export const getContainerStatus = qovery.tool({
  name: "get-container-status",
  title: "Get container status",
  description:
    "Deployment state (e.g. DEPLOYING, DEPLOYED, DEPLOYMENT_ERROR, STOPPED), whether it runs the latest config, last deployment.",
  toolset: "containers",
  inputSchema: z.object({ containerId }),
  hints: "readOnly",
  async handler(args, ctx) {
    const status = await getStatus(ctx.client, args.containerId, ctx.signal);
    return { text: statusLine(status), structured: status };
  },
});
