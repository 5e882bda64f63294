import { pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { portainer } from "../builder.js";
import { K8S_PAGE, namespacesPage } from "../kubernetes.js";
import { endpointId } from "../schemas.js";

export const listNamespaces = portainer.tool({
  name: "list-namespaces",
  title: "List Kubernetes namespaces",
  description: "Namespaces of a Kubernetes environment (Portainer's Kubernetes proxy): name, status, age.",
  toolset: "kubernetes",
  inputSchema: z.object({ endpointId, ...pagingArgs(K8S_PAGE.namespaces) }),
  hints: "readOnly",
  handler: (args, ctx) => namespacesPage(ctx.client, args, ctx.signal),
});
