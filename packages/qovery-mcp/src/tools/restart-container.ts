import { z } from "zod";
import { qovery } from "../builder.js";
import { previewAction, runAction } from "../lifecycle.js";
import { containerId, wait } from "../schemas.js";

export const restartContainer = qovery.tool({
  name: "restart-container",
  title: "Restart container",
  description: "Restarts the running pods, without a deployment.",
  toolset: "deployments",
  inputSchema: z.object({ containerId, wait }),
  hints: "destructive",
  confirm: (args) => `restart every pod of container ${args.containerId} (in-flight requests are cut)`,
  preview: (args, ctx) => previewAction(ctx, args.containerId, "restart"),
  handler: (args, ctx) =>
    runAction(ctx, args.containerId, { action: "restart-service", what: "restart", wait: args.wait }),
});
