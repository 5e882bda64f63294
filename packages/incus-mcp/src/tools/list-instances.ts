import { defineTool, pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { projectArg } from "../api.js";
import type { IncusClient } from "../config.js";
import { instanceFilters, instancesPage, PAGE } from "../lists.js";

const inputSchema = z.object({
  project: projectArg,
  "all-projects": z.boolean().default(false).describe("Instances of every project"),
  ...instanceFilters,
  ...pagingArgs(PAGE.instances),
});

export const listInstances = defineTool<IncusClient, typeof inputSchema>({
  name: "list-instances",
  title: "List instances",
  description: "Containers and VMs: name (what exec-in-instance needs), status, type, project, image.",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },

  handler: (args, ctx) => instancesPage(ctx.client, args, ctx.signal),
});
