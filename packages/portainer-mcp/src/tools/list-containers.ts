import { pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { portainer } from "../builder.js";
import { containerFilters, containersPage, PAGE } from "../lists.js";
import { endpointId } from "../schemas.js";

export const listContainers = portainer.tool({
  name: "list-containers",
  title: "List containers",
  description:
    "Containers of a Docker environment, running and stopped: id, name, image, state. " +
    "The id or name is what exec and container tools take.",
  toolset: "containers",
  inputSchema: z.object({ endpointId, ...containerFilters, ...pagingArgs(PAGE.containers) }),
  hints: "readOnly",
  handler: (args, ctx) => containersPage(ctx.client, args, ctx.signal),
});
