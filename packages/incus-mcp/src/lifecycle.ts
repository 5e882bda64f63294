import type { ToolContext, ToolResultData } from "@infra-mcp/core";
import { z } from "zod";
import { instanceArg, instancePath, projectArg, projectQuery } from "./api.js";
import type { IncusClient } from "./config.js";
import { describeOutcome, instanceStatus, runOperation, waitSecondsArg } from "./operate.js";

/** What every lifecycle tool takes. */
export const lifecycleArgs = { instance: instanceArg, project: projectArg, waitSeconds: waitSecondsArg };

/** Stop and restart: a clean shutdown bounded by `timeout`, or `force` to kill at once. */
export const shutdownArgs = {
  timeout: z.number().int().min(-1).max(3600).default(30).describe("Clean-shutdown seconds (-1 = no limit)"),
  force: z.boolean().default(false),
};

export type LifecycleAction = "start" | "stop" | "restart" | "freeze" | "unfreeze";

/**
 * `PUT /1.0/instances/{name}/state {action, timeout, force, stateful}`, then the operation to its
 * end (progress notifications, cancellation), then the instance's resulting status.
 */
export async function changeState(
  ctx: ToolContext<IncusClient>,
  action: LifecycleAction,
  args: { instance: string; project?: string | undefined; waitSeconds: number; timeout?: number; force?: boolean },
): Promise<ToolResultData> {
  const client = ctx.client;
  const query = projectQuery(client, args.project);
  const body: Record<string, unknown> = { action };
  // Incus reads timeout 0 as "kill now": a clean shutdown needs a positive timeout, or -1.
  if (args.timeout !== undefined) body.timeout = args.force ? 0 : args.timeout;
  if (args.force !== undefined) body.force = args.force;
  const outcome = await runOperation(
    client,
    { method: "PUT", path: instancePath(args.instance, "/state"), query, body },
    ctx,
    args.waitSeconds,
  );
  const status = await instanceStatus(client, instancePath(args.instance), query, ctx.signal);
  return {
    text: `${args.instance}: ${describeOutcome(outcome)}${status ? `; now ${status}` : ""}`,
    structured: {
      instance: args.instance,
      action,
      done: outcome.done,
      succeeded: outcome.succeeded,
      ...(status ? { status } : {}),
      operation: outcome.operation,
    },
    ...(outcome.done && !outcome.succeeded ? { isError: true } : {}),
  };
}

/** What each action makes of a running instance (Incus status names). */
const AFTER: Record<LifecycleAction, string> = {
  start: "Running",
  stop: "Stopped",
  restart: "Running (restarted)",
  freeze: "Frozen",
  unfreeze: "Running",
};

/** For a dry run: "stop-instance c1: Running → Stopped" from the instance's status now. */
export async function previewState(
  ctx: ToolContext<IncusClient>,
  action: LifecycleAction,
  args: { instance: string; project?: string | undefined },
): Promise<string> {
  const status = await instanceStatus(
    ctx.client,
    instancePath(args.instance),
    projectQuery(ctx.client, args.project),
    ctx.signal,
  );
  return `${action}-instance ${args.instance}: ${status ?? "unknown"} → ${AFTER[action]}`;
}
