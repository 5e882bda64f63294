import { z } from "zod";
import { incus } from "../builder.js";
import { changeState, lifecycleArgs, previewState } from "../lifecycle.js";

export const startInstance = incus.tool({
  name: "start-instance",
  title: "Start instance",
  description: "Start an instance, waiting up to waitSeconds; returns the resulting status.",
  toolset: "instances",
  inputSchema: z.object(lifecycleArgs),
  hints: "idempotentWrite",

  preview: (args, ctx) => previewState(ctx, "start", args),
  handler: (args, ctx) => changeState(ctx, "start", args),
});
