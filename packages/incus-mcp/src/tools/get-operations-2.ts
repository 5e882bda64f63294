import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import { describeOperation, type IncusOperation, incusCall, projectArg, projectQuery } from "../api.js";
import type { IncusClient } from "../config.js";

const inputSchema = z.object({
  project: projectArg,
  "all-projects": z.boolean().default(false).describe("Operations of every project"),
});

export const getOperations2 = defineTool<IncusClient, typeof inputSchema>({
  name: "get-operations-2",
  title: "List operations (full objects)",
  description:
    "Like get-operations but with recursion=1: every operation as a full object (id, class, description, status, may_cancel, resources, metadata such as exec fds secrets or progress). Larger output.",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  rest: [{ method: "GET", path: "/v1/1-0/operations-recursion-1" }],

  async handler(args, ctx) {
    const res = await incusCall<unknown>(ctx.client, {
      method: "GET",
      path: "/1.0/operations",
      query: {
        recursion: "1",
        ...projectQuery(ctx.client, args.project),
        ...(args["all-projects"] ? { "all-projects": "true" } : {}),
      },
      signal: ctx.signal,
    });
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
