import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import { operationId } from "../api.js";
import type { IncusClient } from "../config.js";
import { waitForTool } from "../wait.js";

export const waitTimeout = z.number().int().min(-1).default(60).describe("Seconds; -1 = until it ends");

const inputSchema = z.object({ id: operationId, timeout: waitTimeout });

export const waitOperation = defineTool<IncusClient, typeof inputSchema>({
  name: "wait-operation",
  title: "Wait for operation",
  description:
    "Block until an operation ends or timeout passes; returns its final state (exec exit code in metadata.return), or timedOut with the current state. Sends progress notifications; cancelling the call stops the wait.",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "GET", path: "/v1/1-0/operations/{id}/wait" }],

  handler: (args, ctx) => waitForTool(ctx.client, args, ctx),
});
