import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import { operationId } from "../api.js";
import type { IncusClient } from "../config.js";
import { waitForTool } from "../wait.js";
import { waitTimeout } from "./wait-operation.js";

const inputSchema = z.object({
  id: operationId,
  secret: z.string().min(1).describe("The operation's metadata.secret (not an fd secret)"),
  timeout: waitTimeout,
});

export const waitOperation2 = defineTool<IncusClient, typeof inputSchema>({
  name: "wait-operation-2",
  title: "Wait for operation (public)",
  description:
    "wait-operation for untrusted callers (?public): authorised by the operation's own secret (tokens, migrations carry one); a wrong one is 403. Progress shows elapsed time only.",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "GET", path: "/v1/1-0/operations/{id}/wait-public" }],

  handler: (args, ctx) => waitForTool(ctx.client, args, ctx),
});
