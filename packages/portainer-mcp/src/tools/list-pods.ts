import { pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { portainer } from "../builder.js";
import { K8S_PAGE, podsPage } from "../kubernetes.js";
import { endpointId, k8sName } from "../schemas.js";

export const listPods = portainer.tool({
  name: "list-pods",
  title: "List Kubernetes pods",
  description:
    "Pods of one namespace or all: namespace/name, ready, status (as kubectl shows it), restarts, node, age, containers.",
  toolset: "kubernetes",
  inputSchema: z.object({
    endpointId,
    namespace: k8sName.optional().describe("Default: all"),
    labelSelector: z.string().max(1024).meta({ maxLength: undefined }).optional().describe("e.g. app=web"),
    status: z
      .string()
      .max(64)
      .meta({ maxLength: undefined })
      .optional()
      .describe("Phase or status, e.g. CrashLoopBackOff"),
    ...pagingArgs(K8S_PAGE.pods),
  }),
  hints: "readOnly",
  handler: (args, ctx) => podsPage(ctx.client, args, ctx.signal),
});
