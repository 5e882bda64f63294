import { defineTool, pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { projectArg } from "../api.js";
import type { IncusClient } from "../config.js";
import { operationIdsPage, PAGE, statusFilter } from "../lists.js";

const inputSchema = z.object({
  project: projectArg,
  "all-projects": z.boolean().default(false).describe("Operations of every project"),
  status: statusFilter,
  ...pagingArgs(PAGE.operationIds),
});

export const getOperations = defineTool<IncusClient, typeof inputSchema>({
  name: "get-operations",
  title: "List operation ids",
  description:
    "Background operation ids grouped by status (running, success, failure, …); get-operations-2 gives full objects. Finished operations vanish after ~5 s.",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "GET", path: "/v1/1-0/operations" }],

  handler: (args, ctx) => operationIdsPage(ctx.client, args, ctx.signal),
});
