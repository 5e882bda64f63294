import { z } from "zod";
import { incus } from "../builder.js";
import { changeState, lifecycleArgs } from "../lifecycle.js";

export const unfreezeInstance = incus.tool({
  name: "unfreeze-instance",
  title: "Unfreeze instance",
  description: "Resume a frozen instance, waiting up to waitSeconds.",
  toolset: "instances",
  inputSchema: z.object(lifecycleArgs),
  hints: "idempotentWrite",

  handler: (args, ctx) => changeState(ctx, "unfreeze", args),
});
