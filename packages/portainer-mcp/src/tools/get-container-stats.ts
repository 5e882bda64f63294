import { z } from "zod";
import { portainer } from "../builder.js";
import { containerPath, inspectContainerDocument, stateLine, stateOf, withContainerHint } from "../containers.js";
import { binarySize, computeStats, type DockerStatsDocument, decimalSize } from "../docker-stats.js";
import { containerId, endpointId } from "../schemas.js";

const inputSchema = z.object({ endpointId, containerId });

export const getContainerStats = portainer.tool({
  name: "get-container-stats",
  title: "Sample a container's resource use",
  description:
    "One sample of a container's CPU %, memory used/limit, net and block I/O, PIDs via Portainer, computed " +
    "as `docker stats` does (takes ~1 s).",
  toolset: "containers",
  inputSchema,
  hints: "readOnly",
  async handler(args, ctx) {
    const doc = await inspectContainerDocument(ctx.client, args.endpointId, args.containerId, ctx.signal);
    const state = stateOf(doc);
    if (!state.running) {
      return {
        text: `${stateLine(state)}: not running, no resource use to sample`,
        structured: { containerId: doc.Id, name: state.name, running: false, state },
      };
    }
    // stream=false: the engine takes two readings ~1 s apart, so precpu_stats is filled and CPU % is meaningful.
    const raw = await ctx.client.http
      .json<DockerStatsDocument>({
        method: "GET",
        path: containerPath(args.endpointId, doc.Id, "stats"),
        query: { stream: "false" },
        signal: ctx.signal,
      })
      .catch((error: unknown) => {
        throw withContainerHint(error);
      });
    const s = computeStats(raw);
    const memLimit = s.memoryLimitBytes ? binarySize(s.memoryLimitBytes) : "no limit";
    const text =
      `${state.name || doc.Id.slice(0, 12)}: CPU ${s.cpuPercent.toFixed(2)}% (${s.onlineCpus} CPUs) · ` +
      `MEM ${binarySize(s.memoryUsedBytes)} / ${memLimit} (${s.memoryPercent.toFixed(2)}%) · ` +
      `NET I/O ${decimalSize(s.networkRxBytes)} / ${decimalSize(s.networkTxBytes)} · ` +
      `BLOCK I/O ${decimalSize(s.blockReadBytes)} / ${decimalSize(s.blockWriteBytes)} · PIDS ${s.pids}` +
      (s.read ? ` · at ${s.read}` : "");
    return { text, structured: { containerId: doc.Id, name: state.name, running: true, ...s } };
  },
});
