import { z } from "zod";
import { qovery } from "../builder.js";
import { previewAction, runAction } from "../lifecycle.js";
import { containerId, wait } from "../schemas.js";

export const deployContainer = qovery.tool({
  name: "deploy-container",
  title: "Deploy container",
  description: "Deploys image_tag in place of the running version.",
  toolset: "deployments",
  inputSchema: z.object({ containerId, image_tag: z.string().min(1), wait }),
  hints: "destructive",
  confirm: (args) => `deploy tag ${args.image_tag} to container ${args.containerId}, replacing the running version`,
  preview: (args, ctx) => previewAction(ctx, args.containerId, `deploy of tag ${args.image_tag}`),
  handler: (args, ctx) =>
    runAction(ctx, args.containerId, {
      action: "deploy",
      what: `deploy of tag ${args.image_tag}`,
      body: { image_tag: args.image_tag },
      wait: args.wait,
    }),
});
