import { defineTool, pagingArgs, READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import type { PortainerClient } from "../config.js";
import { containerFilters, containersPage, PAGE } from "../lists.js";
import { endpointId } from "../schemas.js";

const inputSchema = z.object({ endpointId, ...containerFilters, ...pagingArgs(PAGE.containers) });

export const listContainers = defineTool<PortainerClient, typeof inputSchema>({
  name: "list-containers",
  title: "List containers",
  description:
    "Containers of a Docker environment, running and stopped: id, name, image, state. " +
    "The id or name is what exec and container tools take.",
  inputSchema,
  annotations: READ_ONLY,
  handler: (args, ctx) => containersPage(ctx.client, args, ctx.signal),
});
