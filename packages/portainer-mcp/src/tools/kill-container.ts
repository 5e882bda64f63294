import { z } from "zod";
import { portainer } from "../builder.js";
import { containerAction, previewAction, stateLine } from "../containers.js";
import { containerId, endpointId, unlisted } from "../schemas.js";

const inputSchema = z.object({
  endpointId,
  containerId,
  signal: z
    .string()
    .regex(/^(SIG)?[A-Z][A-Z0-9+-]*$|^\d{1,2}$/, "must be a signal name (SIGTERM, HUP) or number (9)")
    .max(16)
    .meta(unlisted)
    .default("SIGKILL"),
});

export const killContainer = portainer.tool({
  name: "kill-container",
  title: "Send a signal to a container",
  description:
    "Signal a Docker container's main process via Portainer (default SIGKILL); reports the state afterwards.",
  toolset: "containers",
  inputSchema,
  hints: "destructive",
  confirm: (args) => `send ${args.signal} to container ${args.containerId} on environment ${args.endpointId}`,
  preview: (args, ctx) => previewAction(ctx.client, args.endpointId, args.containerId, "kill", ctx.signal),
  async handler(args, ctx) {
    const r = await containerAction(
      ctx.client,
      args.endpointId,
      args.containerId,
      "kill",
      { signal: args.signal },
      ctx.signal,
      0,
      /^(SIG)?KILL$|^9$/.test(args.signal) ? 0 : 1_000,
    );
    return {
      text: `sent ${args.signal}; now: ${stateLine(r.state)}`,
      structured: { signal: args.signal, state: r.state },
    };
  },
});
