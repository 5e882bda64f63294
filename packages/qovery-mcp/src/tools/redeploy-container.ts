import { z } from "zod";
import { qovery } from "../builder.js";
import { previewAction, runAction } from "../lifecycle.js";
import { containerId, wait } from "../schemas.js";

export const redeployContainer = qovery.tool({
  name: "redeploy-container",
  title: "Redeploy container",
  description: "Redeploys the current tag and configuration (rolling).",
  toolset: "deployments",
  inputSchema: z.object({ containerId, wait }),
  // Destructive: a rolling redeploy replaces every running instance (their in-flight work ends).
  hints: "destructive",
  confirm: (args) => `redeploy container ${args.containerId}, replacing its running instances`,
  preview: (args, ctx) => previewAction(ctx, args.containerId, "redeploy"),
  handler: (args, ctx) => runAction(ctx, args.containerId, { action: "redeploy", what: "redeploy", wait: args.wait }),
});
