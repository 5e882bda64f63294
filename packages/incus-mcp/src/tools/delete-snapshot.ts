import { encodePathSegment } from "@infra-mcp/core";
import { z } from "zod";
import { instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";
import { describeOutcome, runOperation, waitSecondsArg } from "../operate.js";

export const deleteSnapshot = incus.tool({
  name: "delete-snapshot",
  title: "Delete instance snapshot",
  description: "Delete one snapshot of an instance, waiting up to waitSeconds.",
  toolset: "snapshots",
  checkWith: "list-snapshots",
  inputSchema: z.object({
    instance: instanceArg,
    snapshot: z.string().min(1),
    project: projectArg,
    waitSeconds: waitSecondsArg,
  }),
  hints: "destructiveIdempotent",
  confirm: (args) => `delete snapshot ${args.snapshot} of instance ${args.instance}`,

  async handler(args, ctx) {
    const outcome = await runOperation(
      ctx.client,
      {
        method: "DELETE",
        path: instancePath(args.instance, `/snapshots/${encodePathSegment("snapshot", args.snapshot)}`),
        query: projectQuery(ctx.client, args.project),
      },
      ctx,
      args.waitSeconds,
    );
    return {
      text: `${args.instance}/${args.snapshot}: ${describeOutcome(outcome)}`,
      structured: {
        instance: args.instance,
        snapshot: args.snapshot,
        done: outcome.done,
        succeeded: outcome.succeeded,
        operation: outcome.operation,
      },
      ...(outcome.done && !outcome.succeeded ? { isError: true } : {}),
    };
  },
});
