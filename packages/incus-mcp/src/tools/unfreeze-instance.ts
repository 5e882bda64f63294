import { z } from "zod";
import { incus } from "../builder.js";
import { changeState, lifecycleArgs, previewState } from "../lifecycle.js";

export const unfreezeInstance = incus.tool({
  name: "unfreeze-instance",
  title: "Unfreeze instance",
  description: "Resume a frozen instance, waiting up to waitSeconds.",
  toolset: "instances",
  inputSchema: z.object(lifecycleArgs),
  hints: "idempotentWrite",

  preview: (args, ctx) => previewState(ctx, "unfreeze", args),
  handler: (args, ctx) => changeState(ctx, "unfreeze", args),
});
