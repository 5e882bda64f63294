import { defineTool, pagingArgs, READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import type { PortainerClient } from "../config.js";
import { environmentsPage, PAGE } from "../lists.js";

const inputSchema = z.object({
  search: z.string().max(256).optional().describe("Only names containing this"),
  ...pagingArgs(PAGE.environments),
});

export const listEnvironments = defineTool<PortainerClient, typeof inputSchema>({
  name: "list-environments",
  title: "List Portainer environments",
  description:
    "Portainer environments (endpoints): id (the endpointId other tools need), name, type, status (up, down). " +
    "Docker types work with execute-websocket and attach-websocket, kubernetes types with the pod and kubectl-shell tools.",
  inputSchema,
  annotations: READ_ONLY,
  handler: (args, ctx) => environmentsPage(ctx.client, args, ctx.signal),
});
