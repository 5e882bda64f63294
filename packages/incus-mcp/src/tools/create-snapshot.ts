import { z } from "zod";
import { instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";
import { describeOutcome, runOperation, waitSecondsArg } from "../operate.js";

export const createSnapshot = incus.tool({
  name: "create-snapshot",
  title: "Create instance snapshot",
  description:
    "Snapshot an instance (e.g. before a risky change), waiting up to waitSeconds. stateful also saves memory (needs migration.stateful, CRIU).",
  toolset: "snapshots",
  checkWith: "list-snapshots",
  inputSchema: z.object({
    instance: instanceArg,
    snapshot: z.string().min(1).optional().describe("Default snap0, snap1…"),
    stateful: z.boolean().default(false),
    expiresAt: z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), "is not a date-time")
      .optional()
      .describe("RFC 3339 time"),
    project: projectArg,
    waitSeconds: waitSecondsArg,
  }),
  hints: "write",

  async handler(args, ctx) {
    const body: Record<string, unknown> = { stateful: args.stateful };
    if (args.snapshot) body.name = args.snapshot;
    if (args.expiresAt) body.expires_at = args.expiresAt;
    const outcome = await runOperation(
      ctx.client,
      {
        method: "POST",
        path: instancePath(args.instance, "/snapshots"),
        query: projectQuery(ctx.client, args.project),
        body,
      },
      ctx,
      args.waitSeconds,
    );
    // The operation names the snapshot it makes (also when Incus picked the name).
    const made =
      outcome.operation.resources?.instances_snapshots?.[0]?.replace(/^.*\/snapshots\//, "") ?? args.snapshot;
    return {
      text: `${args.instance}${made ? `/${made}` : ""}: ${describeOutcome(outcome)}`,
      structured: {
        instance: args.instance,
        ...(made ? { snapshot: made } : {}),
        done: outcome.done,
        succeeded: outcome.succeeded,
        operation: outcome.operation,
      },
      ...(outcome.done && !outcome.succeeded ? { isError: true } : {}),
    };
  },
});
