import { CancelledError, type HttpRequest, type ToolContext, UpstreamProtocolError } from "@infra-mcp/core";
import { z } from "zod";
import { type IncusOperation, incusCall, operationPath } from "./api.js";
import type { IncusClient } from "./config.js";
import { waitOperationEnd } from "./wait.js";

/** How long a state-changing tool waits for its operation before answering "still running". */
export const waitSecondsArg = z.number().int().min(1).max(3600).default(120);

export interface OperationOutcome {
  /** The operation reached a final state within waitSeconds. */
  done: boolean;
  /** Final state when done (status Success/Failure/Cancelled, err); the current one otherwise. */
  operation: IncusOperation;
  /** True when it finished with Success (or the daemon answered synchronously). */
  succeeded: boolean;
  waitedMs: number;
}

/**
 * Sends one state-changing request and follows the background operation Incus answers with: MCP
 * progress notifications while it runs (state, description, progress metadata), the final state
 * once it ends. The client's cancel stops the wait and cancels the operation when Incus allows it
 * (lifecycle and snapshot tasks do not: they finish on the daemon, and the error says so).
 */
export async function runOperation(
  client: IncusClient,
  req: Omit<HttpRequest, "signal" | "retry">,
  ctx: Pick<ToolContext<IncusClient>, "signal" | "progress">,
  waitSeconds: number,
): Promise<OperationOutcome> {
  const started = performance.now();
  const res = await incusCall<IncusOperation>(client, { ...req, signal: ctx.signal, retry: false });
  if (res.type === "sync") {
    const now = new Date().toISOString();
    return {
      done: true,
      succeeded: true,
      waitedMs: 0,
      operation: {
        id: "",
        class: "sync",
        description: "",
        status: "Success",
        status_code: 200,
        created_at: now,
        updated_at: now,
        may_cancel: false,
        err: "",
      },
    };
  }
  const op = res.metadata;
  if (!op?.id) throw new UpstreamProtocolError(`${req.method} ${req.path}: Incus answered without an operation`);
  await ctx.progress(0, waitSeconds, `${op.description || op.class}: operation ${op.id} ${op.status}`);
  try {
    const waited = await waitOperationEnd(client, op.id, {
      timeoutSec: waitSeconds,
      signal: ctx.signal,
      onProgress: (elapsed, message) => ctx.progress(elapsed, waitSeconds, message),
    });
    const final = waited.operation ?? op;
    return {
      done: waited.done,
      operation: final,
      succeeded: waited.done && final.status_code === 200,
      waitedMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (!ctx.signal.aborted) throw error;
    let outcome = "Incus cannot cancel it, so it goes on on the daemon";
    if (op.may_cancel) {
      outcome = await incusCall(client, { method: "DELETE", path: operationPath(op.id), retry: false })
        .then(() => "it was cancelled")
        .catch(() => "cancelling it failed; it may go on on the daemon");
    }
    throw new CancelledError(`Waiting for operation ${op.id} (${op.description}; ${outcome})`);
  }
}

/** One line about an operation outcome, e.g. "Stopping instance: Success (1.1 s)". */
export function describeOutcome(o: OperationOutcome): string {
  const what = o.operation.description || "operation";
  if (!o.done) {
    return `${what}: still ${o.operation.status} after ${Math.round(o.waitedMs / 1000)} s; wait-operation id=${o.operation.id} to keep waiting`;
  }
  const err = o.operation.err ? ` — ${o.operation.err}` : "";
  return `${what}: ${o.operation.status}${err} (${(o.waitedMs / 1000).toFixed(1)} s)`;
}

/** The instance's status after a change (cheap: not /state, which runs code in the instance). */
export async function instanceStatus(
  client: IncusClient,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    const res = await incusCall<{ status?: string }>(client, { method: "GET", path, query, signal });
    return res.metadata?.status;
  } catch {
    return undefined;
  }
}
