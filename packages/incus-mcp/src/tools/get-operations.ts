import { z } from "zod";
import { describeOperation, type IncusOperation, idsByStatus, incusCall, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";

export const listOperationIds = incus.tool({
  name: "get-operations",
  title: "List operation ids",
  description:
    "List background operations as ids grouped by status (running, success, failure, …). Cheap; get-operations-2 returns full objects instead. Finished operations disappear after ~5 s.",
  toolset: "operations",
  inputSchema: z.object({
    project: projectArg,
    "all-projects": z.boolean().default(false).describe("Operations of every project"),
  }),
  hints: "readOnly",
  /** full: recursion=1, every operation as a full object (the seed's get-operations-2). */
  options: { full: false },

  async handler(args, ctx, options) {
    const res = await incusCall<unknown>(ctx.client, {
      method: "GET",
      path: "/1.0/operations",
      query: {
        ...(options.full ? { recursion: "1" } : {}),
        ...projectQuery(ctx.client, args.project),
        ...(args["all-projects"] ? { "all-projects": "true" } : {}),
      },
      signal: ctx.signal,
    });
    if (!options.full) {
      const byStatus = idsByStatus(res.metadata);
      const lines = Object.entries(byStatus).map(([status, ids]) => `${status} (${ids.length}): ${ids.join(", ")}`);
      return { text: lines.length ? lines.join("\n") : "no operations", structured: { operations: byStatus } };
    }
    // The spec says an array; the daemon groups by status ({running: [...]}). Accept both.
    const md = res.metadata;
    const operations: IncusOperation[] = Array.isArray(md)
      ? (md as IncusOperation[])
      : Object.values((md ?? {}) as Record<string, IncusOperation[]>).flatMap((l) => (Array.isArray(l) ? l : []));
    return {
      text: operations.length ? operations.map(describeOperation).join("\n") : "no operations",
      structured: { operations },
    };
  },
});

export const listOperations = listOperationIds.variant({
  name: "get-operations-2",
  title: "List operations (full objects)",
  description:
    "Like get-operations but with recursion=1: every operation as a full object (id, class, description, status, may_cancel, resources, metadata such as exec fds secrets or progress). Larger output.",
  options: { full: true },
});
