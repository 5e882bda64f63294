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

export const stopContainer = portainer.tool({
  name: "stop-container",
  title: "Stop a container",
  description:
    "Stop a Docker container via Portainer (stop signal, SIGKILL after timeout); reports the state afterwards.",
  toolset: "containers",
  inputSchema,
  hints: "destructiveIdempotent",
  /** restart: Docker's restart (stop, then start) instead of stop (the seed's restart-container). */
  options: { action: "stop" as "stop" | "restart" },
  confirm: (args, options) =>
    `${options.action} container ${args.containerId} on environment ${args.endpointId}${args.timeout !== undefined ? ` (kill after ${args.timeout} s)` : ""}`,
  preview: (args, ctx, options) =>
    previewAction(ctx.client, args.endpointId, args.containerId, options.action, ctx.signal),
  async handler(args, ctx, options) {
    const query = args.timeout !== undefined ? { t: String(args.timeout) } : {};
    const r = await containerAction(
      ctx.client,
      args.endpointId,
      args.containerId,
      options.action,
      query,
      ctx.signal,
      args.timeout ?? 60,
    );
    const what = options.action === "restart" ? "restarted" : r.changed ? "stopped" : "already stopped, nothing done";
    return { text: `${what}; now: ${stateLine(r.state)}`, structured: { changed: r.changed, state: r.state } };
  },
});

export const restartContainer = stopContainer.variant({
  name: "restart-container",
  title: "Restart a container",
  description:
    "Restart a Docker container via Portainer (stop, SIGKILL after timeout, start); reports the state afterwards.",
  // A repeat restarts again.
  hints: "destructive",
  options: { action: "restart" },
});
