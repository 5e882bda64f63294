import { z } from "zod";
import { incus } from "../builder.js";
import { changeState, lifecycleArgs, previewState, shutdownArgs } from "../lifecycle.js";

export const stopInstance = incus.tool({
  name: "stop-instance",
  title: "Stop instance",
  description:
    "Stop an instance: clean shutdown within timeout, or force kills it. Waits up to waitSeconds; returns the resulting status.",
  toolset: "instances",
  inputSchema: z.object({ ...lifecycleArgs, ...shutdownArgs }),
  hints: "destructiveIdempotent",
  confirm: (args) => `${args.force ? "kill" : "shut down"} instance ${args.instance}`,

  preview: (args, ctx) => previewState(ctx, "stop", args),
  handler: (args, ctx) => changeState(ctx, "stop", args),
});
