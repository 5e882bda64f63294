import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import { operationId } from "../api.js";
import type { IncusClient } from "../config.js";
import { waitForTool } from "../wait.js";
import { waitTimeout } from "./wait-operation.js";

const inputSchema = z.object({
  id: operationId,
  secret: z
    .string()
    .min(1)
    .max(512)
    .describe("The operation's own secret (metadata.secret, e.g. of a token or migration)"),
  timeout: waitTimeout,
});

export const waitOperation2 = defineTool<IncusClient, typeof inputSchema>({
  name: "wait-operation-2",
  title: "Wait for operation (public, by secret)",
  description:
    "Untrusted variant of wait-operation (?public&secret=): authorised by the operation's secret instead of the client's trust, for operations that carry one (tokens, migrations). A wrong secret is 403. Progress shows elapsed time only.",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "GET", path: "/v1/1-0/operations/{id}/wait-public" }],

  handler: (args, ctx) => waitForTool(ctx.client, args, ctx),
});
