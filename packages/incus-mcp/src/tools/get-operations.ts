import { pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { projectArg } from "../api.js";
import { incus } from "../builder.js";
import { operationIdsPage, operationsPage, PAGE, statusFilter } from "../lists.js";

const listArgs = {
  project: projectArg,
  "all-projects": z.boolean().default(false).describe("Operations of every project"),
  status: statusFilter,
};

export const listOperationIds = incus.tool({
  name: "get-operations",
  title: "List operation ids",
  description:
    "Background operation ids grouped by status (running, success, failure, …); get-operations-2 gives full objects. Finished operations vanish after ~5 s.",
  toolset: "operations",
  inputSchema: z.object({ ...listArgs, ...pagingArgs(PAGE.operationIds) }),
  hints: "readOnly",
  /** full: recursion=1, every operation as a full object (the seed's get-operations-2). */
  options: { full: false },

  handler: (args, ctx, options) =>
    options.full ? operationsPage(ctx.client, args, ctx.signal) : operationIdsPage(ctx.client, args, ctx.signal),
});

export const listOperations = listOperationIds.variant({
  name: "get-operations-2",
  title: "List operations (full objects)",
  description:
    "Like get-operations with recursion=1: full objects (class, description, status, may_cancel, resources, metadata: exec fds, progress).",
  // Full objects are longer lines: a smaller default page keeps the text near 2 KB.
  inputSchema: z.object({ ...listArgs, ...pagingArgs(PAGE.operations) }),
  options: { full: true },
});
