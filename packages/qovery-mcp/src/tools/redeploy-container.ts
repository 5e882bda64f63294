import { z } from "zod";
import { qovery } from "../builder.js";
import { runAction } from "../lifecycle.js";
import { containerId, wait } from "../schemas.js";

export const redeployContainer = qovery.tool({
  name: "redeploy-container",
  title: "Redeploy container",
  description: "Redeploys the current tag and configuration (rolling).",
  toolset: "deployments",
  inputSchema: z.object({ containerId, wait }),
  hints: "write",
  handler: (args, ctx) => runAction(ctx, args.containerId, { action: "redeploy", what: "redeploy", wait: args.wait }),
});
