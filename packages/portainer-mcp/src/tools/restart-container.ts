import { z } from "zod";
import { portainer } from "../builder.js";
import { containerAction, previewAction, stateLine } from "../containers.js";
import { containerId, endpointId, unlisted } from "../schemas.js";

const inputSchema = z.object({
  endpointId,
  containerId,
  timeout: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .optional()
    .meta(unlisted)
    .describe("Seconds before SIGKILL (default: the container's, else 10)"),
});

export const restartContainer = portainer.tool({
  name: "restart-container",
  title: "Restart a container",
  description:
    "Restart a Docker container via Portainer (stop, SIGKILL after timeout, start); reports the state afterwards.",
  toolset: "containers",
  inputSchema,
  hints: "destructive",
  confirm: (args) =>
    `restart container ${args.containerId} on environment ${args.endpointId}${args.timeout !== undefined ? ` (kill after ${args.timeout} s)` : ""}`,
  preview: (args, ctx) => previewAction(ctx.client, args.endpointId, args.containerId, "restart", ctx.signal),
  async handler(args, ctx) {
    const query = args.timeout !== undefined ? { t: String(args.timeout) } : {};
    const r = await containerAction(
      ctx.client,
      args.endpointId,
      args.containerId,
      "restart",
      query,
      ctx.signal,
      args.timeout ?? 60,
    );
    return { text: `restarted; now: ${stateLine(r.state)}`, structured: { changed: r.changed, state: r.state } };
  },
});
