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
  confirm: (args) =>
    `stop container ${args.containerId} on environment ${args.endpointId}${args.timeout !== undefined ? ` (kill after ${args.timeout} s)` : ""}`,
  preview: (args, ctx) => previewAction(ctx.client, args.endpointId, args.containerId, "stop", ctx.signal),
  async handler(args, ctx) {
    const query = args.timeout !== undefined ? { t: String(args.timeout) } : {};
    const r = await containerAction(
      ctx.client,
      args.endpointId,
      args.containerId,
      "stop",
      query,
      ctx.signal,
      args.timeout ?? 60,
    );
    const what = r.changed ? "stopped" : "already stopped, nothing done";
    return { text: `${what}; now: ${stateLine(r.state)}`, structured: { changed: r.changed, state: r.state } };
  },
});
