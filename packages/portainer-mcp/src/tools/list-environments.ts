import { pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { portainer } from "../builder.js";
import { environmentsPage, PAGE } from "../lists.js";

export const listEnvironments = portainer.tool({
  name: "list-environments",
  title: "List Portainer environments",
  description:
    "Portainer environments (endpoints): id (the endpointId other tools need), name, type, status (up, down). " +
    "Docker types work with execute-websocket and attach-websocket, kubernetes types with the pod and kubectl-shell tools.",
  toolset: "environments",
  inputSchema: z.object({
    search: z.string().max(256).optional().describe("Only names containing this"),
    ...pagingArgs(PAGE.environments),
  }),
  hints: "readOnly",
  handler: (args, ctx) => environmentsPage(ctx.client, args, ctx.signal),
});
