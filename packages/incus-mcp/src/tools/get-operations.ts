import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import { idsByStatus, incusCall, projectArg, projectQuery } from "../api.js";
import type { IncusClient } from "../config.js";

const inputSchema = z.object({
  project: projectArg,
  "all-projects": z.boolean().default(false).describe("Operations of every project"),
});

export const getOperations = defineTool<IncusClient, typeof inputSchema>({
  name: "get-operations",
  title: "List operation ids",
  description:
    "List background operations as ids grouped by status (running, success, failure, …). Cheap; get-operations-2 returns full objects instead. Finished operations disappear after ~5 s.",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "GET", path: "/v1/1-0/operations" }],

  async handler(args, ctx) {
    const res = await incusCall<unknown>(ctx.client, {
      method: "GET",
      path: "/1.0/operations",
      query: { ...projectQuery(ctx.client, args.project), ...(args["all-projects"] ? { "all-projects": "true" } : {}) },
      signal: ctx.signal,
    });
    const byStatus = idsByStatus(res.metadata);
    const lines = Object.entries(byStatus).map(([status, ids]) => `${status} (${ids.length}): ${ids.join(", ")}`);
    return { text: lines.length ? lines.join("\n") : "no operations", structured: { operations: byStatus } };
  },
});
