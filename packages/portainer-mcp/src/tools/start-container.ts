import { z } from "zod";
import { portainer } from "../builder.js";
import { containerAction, previewAction, stateLine } from "../containers.js";
import { containerId, endpointId } from "../schemas.js";

const inputSchema = z.object({ endpointId, containerId });

export const startContainer = portainer.tool({
  name: "start-container",
  title: "Start a container",
  description:
    "Start a Docker container via Portainer; reports the state afterwards (a process that exits at once shows exited).",
  toolset: "containers",
  inputSchema,
  hints: "idempotentWrite",
  preview: (args, ctx) => previewAction(ctx.client, args.endpointId, args.containerId, "start", ctx.signal),
  async handler(args, ctx) {
    const r = await containerAction(ctx.client, args.endpointId, args.containerId, "start", {}, ctx.signal);
    const what = r.changed ? "started" : "already running, nothing done";
    return { text: `${what}; now: ${stateLine(r.state)}`, structured: { changed: r.changed, state: r.state } };
  },
});
