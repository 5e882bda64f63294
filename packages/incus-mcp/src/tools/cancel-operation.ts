import { z } from "zod";
import { incusCall, operationId, operationPath } from "../api.js";
import { incus } from "../builder.js";

export const cancelOperation = incus.tool({
  name: "cancel-operation",
  title: "Cancel operation",
  description:
    "Cancel a running operation (DELETE). Only operations with may_cancel=true can be cancelled (e.g. tokens, transfers); exec operations cannot — stop an exec by closing its session or with a signal.",
  toolset: "operations",
  inputSchema: z.object({ id: operationId }),
  hints: "destructiveIdempotent",
  confirm: (args) => `cancel Incus operation ${args.id}`,

  async handler(args, ctx) {
    await incusCall(ctx.client, { method: "DELETE", path: operationPath(args.id), signal: ctx.signal });
    return { text: `cancelled operation ${args.id}`, structured: { id: args.id, cancelled: true } };
  },
});
