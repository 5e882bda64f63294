import { z } from "zod";
import { instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";
import { describeOutcome, instanceStatus, runOperation, waitSecondsArg } from "../operate.js";

export const restoreSnapshot = incus.tool({
  name: "restore-snapshot",
  title: "Restore instance snapshot",
  description:
    "Roll an instance back to a snapshot (every change since is lost), waiting up to waitSeconds; returns the resulting status.",
  toolset: "snapshots",
  inputSchema: z.object({
    instance: instanceArg,
    snapshot: z.string().min(1),
    stateful: z.boolean().default(false).describe("Also restore the saved memory state"),
    project: projectArg,
    waitSeconds: waitSecondsArg,
  }),
  hints: "destructiveIdempotent",
  confirm: (args) => `roll instance ${args.instance} back to snapshot ${args.snapshot}, losing every change since`,

  async handler(args, ctx) {
    const query = projectQuery(ctx.client, args.project);
    const outcome = await runOperation(
      ctx.client,
      {
        method: "PUT",
        path: instancePath(args.instance),
        query,
        body: { restore: args.snapshot, stateful: args.stateful },
      },
      ctx,
      args.waitSeconds,
    );
    const status = await instanceStatus(ctx.client, instancePath(args.instance), query, ctx.signal);
    return {
      text: `${args.instance} ← ${args.snapshot}: ${describeOutcome(outcome)}${status ? `; now ${status}` : ""}`,
      structured: {
        instance: args.instance,
        snapshot: args.snapshot,
        done: outcome.done,
        succeeded: outcome.succeeded,
        ...(status ? { status } : {}),
        operation: outcome.operation,
      },
      ...(outcome.done && !outcome.succeeded ? { isError: true } : {}),
    };
  },
});
