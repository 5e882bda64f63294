import { z } from "zod";
import { incus } from "../builder.js";
import { changeState, lifecycleArgs, previewState, shutdownArgs } from "../lifecycle.js";

export const restartInstance = incus.tool({
  name: "restart-instance",
  title: "Restart instance",
  description:
    "Restart an instance: clean shutdown within timeout, or force kills it. Waits up to waitSeconds; returns the resulting status.",
  toolset: "instances",
  inputSchema: z.object({ ...lifecycleArgs, ...shutdownArgs }),
  hints: "destructive",
  confirm: (args) => `restart instance ${args.instance}${args.force ? " (killing it first)" : ""}`,

  preview: (args, ctx) => previewState(ctx, "restart", args),
  handler: (args, ctx) => changeState(ctx, "restart", args),
});
