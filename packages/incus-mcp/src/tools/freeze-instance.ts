import { z } from "zod";
import { incus } from "../builder.js";
import { changeState, lifecycleArgs, previewState } from "../lifecycle.js";

export const freezeInstance = incus.tool({
  name: "freeze-instance",
  title: "Freeze instance",
  description: "Freeze (pause) every process of a running instance, waiting up to waitSeconds.",
  toolset: "instances",
  inputSchema: z.object(lifecycleArgs),
  hints: "destructiveIdempotent",
  confirm: (args) => `freeze every process of instance ${args.instance}`,

  preview: (args, ctx) => previewState(ctx, "freeze", args),
  handler: (args, ctx) => changeState(ctx, "freeze", args),
});
