import { z } from "zod";
import { describeOperation, type IncusOperation, incusCall, operationId, operationPath } from "../api.js";
import { incus } from "../builder.js";

export const getOperation = incus.tool({
  name: "get-operation-state",
  title: "Get operation state",
  description:
    "Current state of one operation: status, may_cancel, error, metadata (an exec's fds secrets; its exit code in metadata.return once done). 404 once a finished operation has expired (~5 s).",
  toolset: "operations",
  inputSchema: z.object({ id: operationId }),
  hints: "readOnly",

  async handler(args, ctx) {
    const op = (
      await incusCall<IncusOperation>(ctx.client, { method: "GET", path: operationPath(args.id), signal: ctx.signal })
    ).metadata;
    return { text: describeOperation(op), structured: { operation: op } };
  },
});
