import { z } from "zod";
import { qovery } from "../builder.js";
import { previewAction, runAction } from "../lifecycle.js";
import { containerId, wait } from "../schemas.js";

export const stopContainer = qovery.tool({
  name: "stop-container",
  title: "Stop container",
  description: "Stops every instance: the service is down until deployed again.",
  toolset: "deployments",
  inputSchema: z.object({ containerId, wait }),
  hints: "destructiveIdempotent",
  confirm: (args) => `stop container ${args.containerId}: the service goes down until redeployed`,
  preview: (args, ctx) => previewAction(ctx, args.containerId, "stop"),
  handler: (args, ctx) => runAction(ctx, args.containerId, { action: "stop", what: "stop", wait: args.wait }),
});
