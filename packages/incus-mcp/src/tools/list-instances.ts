import { pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { projectArg } from "../api.js";
import { incus } from "../builder.js";
import { instanceFilters, instancesPage, PAGE } from "../lists.js";

export const listInstances = incus.tool({
  name: "list-instances",
  title: "List instances",
  description: "Containers and VMs: name (what exec-in-instance needs), status, type, project, image.",
  toolset: "instances",
  inputSchema: z.object({
    project: projectArg,
    "all-projects": z.boolean().default(false).describe("Instances of every project"),
    ...instanceFilters,
    ...pagingArgs(PAGE.instances),
  }),
  hints: "readOnly",

  handler: (args, ctx) => instancesPage(ctx.client, args, ctx.signal),
});
