import { defineTool, pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { projectArg } from "../api.js";
import type { IncusClient } from "../config.js";
import { operationsPage, PAGE, statusFilter } from "../lists.js";

const inputSchema = z.object({
  project: projectArg,
  "all-projects": z.boolean().default(false).describe("Operations of every project"),
  status: statusFilter,
  ...pagingArgs(PAGE.operations),
});

export const getOperations2 = defineTool<IncusClient, typeof inputSchema>({
  name: "get-operations-2",
  title: "List operations (full objects)",
  description:
    "Like get-operations with recursion=1: full objects (class, description, status, may_cancel, resources, metadata: exec fds, progress).",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "GET", path: "/v1/1-0/operations-recursion-1" }],

  handler: (args, ctx) => operationsPage(ctx.client, args, ctx.signal),
});
