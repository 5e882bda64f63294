import { z } from "zod";
import { portainer } from "../builder.js";
import { containerAction, stateLine } from "../containers.js";
import { containerId, endpointId } from "../schemas.js";

const inputSchema = z.object({ endpointId, containerId });

export const startContainer = portainer.tool({
  name: "start-container",
  title: "Start a container",
  description:
    "Start a stopped Docker container through Portainer and report the state the engine shows afterwards " +
    "(a container whose process exits at once shows as exited). Starting a running container changes nothing.",
  toolset: "containers",
  inputSchema,
  hints: "idempotentWrite",
  async handler(args, ctx) {
    const r = await containerAction(ctx.client, args.endpointId, args.containerId, "start", {}, ctx.signal);
    const what = r.changed ? "started" : "already running, nothing done";
    return { text: `${what}; now: ${stateLine(r.state)}`, structured: { changed: r.changed, state: r.state } };
  },
});
