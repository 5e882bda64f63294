import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import { describeOperation, type IncusOperation, incusCall, operationId, operationPath } from "../api.js";
import type { IncusClient } from "../config.js";

const inputSchema = z.object({ id: operationId });

export const getOperationState = defineTool<IncusClient, typeof inputSchema>({
  name: "get-operation-state",
  title: "Get operation state",
  description:
    "Current state of one operation: status, may_cancel, error, metadata (an exec's fds secrets; its exit code in metadata.return once done). 404 once a finished operation has expired (~5 s).",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "GET", path: "/v1/1-0/operations/{id}" }],

  async handler(args, ctx) {
    const op = (
      await incusCall<IncusOperation>(ctx.client, { method: "GET", path: operationPath(args.id), signal: ctx.signal })
    ).metadata;
    return { text: describeOperation(op), structured: { operation: op } };
  },
});
