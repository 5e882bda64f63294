import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import { incusCall, operationId, operationPath } from "../api.js";
import type { IncusClient } from "../config.js";

const inputSchema = z.object({ id: operationId });

export const cancelOperation = defineTool<IncusClient, typeof inputSchema>({
  name: "cancel-operation",
  title: "Cancel operation",
  description:
    "Cancel a running operation (DELETE). Only operations with may_cancel=true can be cancelled (e.g. tokens, transfers); exec operations cannot — stop an exec by closing its session or with a signal.",
  inputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "DELETE", path: "/v1/1-0/operations/{id}" }],

  async handler(args, ctx) {
    await incusCall(ctx.client, { method: "DELETE", path: operationPath(args.id), signal: ctx.signal });
    return { text: `cancelled operation ${args.id}`, structured: { id: args.id, cancelled: true } };
  },
});
