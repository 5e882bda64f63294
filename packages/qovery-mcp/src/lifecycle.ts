import { setTimeout as sleep } from "node:timers/promises";
import { encodePathSegment, type ToolContext, type ToolResultData, UpstreamHttpError } from "@infra-mcp/core";
import { withHint } from "./builder.js";
import type { QoveryClient } from "./config.js";
import { statusLine } from "./summary.js";

/**
 * Container lifecycle: the four action endpoints (deploy, redeploy, restart-service, stop), the
 * status they answer with, and the optional wait that follows the status until the deployment
 * settles. Qovery answers every action with 202 and a `Status`; the work happens afterwards.
 */
export type Status = Record<string, unknown> & { id?: string; state?: string };

export const NOT_FOUND = { 404: "No container with this containerId" };

export function containerPath(containerId: string, rest = ""): string {
  return `/container/${encodePathSegment("containerId", containerId)}${rest}`;
}

export async function getStatus(client: QoveryClient, containerId: string, signal?: AbortSignal): Promise<Status> {
  try {
    return (
      (await client.http.json<Status>({ method: "GET", path: containerPath(containerId, "/status"), signal })) ?? {}
    );
  } catch (error) {
    throw withHint(error, NOT_FOUND);
  }
}

/** StateEnum values of an operation still under way; every other state is where it settled. */
const IN_PROGRESS = new Set([
  "BUILDING",
  "CANCELING",
  "DELETE_QUEUED",
  "DELETING",
  "DEPLOYING",
  "DEPLOYMENT_QUEUED",
  "EXECUTING",
  "QUEUED",
  "RESTARTING",
  "RESTART_QUEUED",
  "STOPPING",
  "STOP_QUEUED",
  "WAITING_DELETING",
  "WAITING_RESTARTING",
  "WAITING_RUNNING",
  "WAITING_STOPPING",
]);

export const inProgress = (state: unknown): boolean => typeof state === "string" && IN_PROGRESS.has(state);
const failed = (state: unknown): boolean => typeof state === "string" && state.endsWith("_ERROR");

/**
 * Right after a 202 the status may still show the previous settled state (the request is queued
 * but not yet visible). A settled state only counts once an in-progress one was seen, or after
 * this many polls without one (an action Qovery finished between two polls).
 */
const SETTLE_GRACE_POLLS = 3;

export type WaitOutcome = "settled" | "failed" | "timeout" | "cancelled";

export interface WaitResult {
  outcome: WaitOutcome;
  status: Status;
  polls: number;
  waitedMs: number;
}

/** Polls the status every `client.pollMs` with a progress notification each time. Never throws on cancel. */
export async function waitUntilSettled(
  ctx: ToolContext<QoveryClient>,
  containerId: string,
  initial: Status,
  waitMs: number,
): Promise<WaitResult> {
  const started = Date.now();
  let status = initial;
  let seenProgress = inProgress(initial.state);
  let polls = 0;
  const done = (outcome: WaitOutcome): WaitResult => ({ outcome, status, polls, waitedMs: Date.now() - started });
  for (;;) {
    const left = started + waitMs - Date.now();
    if (left <= 0) return done("timeout");
    try {
      await sleep(Math.min(ctx.client.pollMs, left), undefined, { signal: ctx.signal });
    } catch {
      return done("cancelled");
    }
    status = await getStatus(ctx.client, containerId, ctx.signal).catch((error: unknown) => {
      if (ctx.signal.aborted) return status;
      throw error;
    });
    if (ctx.signal.aborted) return done("cancelled");
    polls++;
    await ctx.progress(
      polls,
      undefined,
      `${String(status.state ?? "?")} after ${Math.round((Date.now() - started) / 1000)} s`,
    );
    if (inProgress(status.state)) seenProgress = true;
    else if (seenProgress || polls >= SETTLE_GRACE_POLLS) return done(failed(status.state) ? "failed" : "settled");
  }
}

export interface ActionSpec {
  /** Qovery's path segment: deploy, redeploy, restart-service, stop. */
  action: "deploy" | "redeploy" | "restart-service" | "stop";
  /** What was asked, for the text: "deploy of tag 1.4.3". */
  what: string;
  body?: Record<string, unknown>;
  /** Seconds to wait for the status to settle; 0 returns at once. */
  wait: number;
}

/**
 * POSTs the action. A 409 (an operation already in progress, or for stop: already stopped) is a
 * result, not a failure: the model learns the current state and that nothing was started.
 */
export async function runAction(
  ctx: ToolContext<QoveryClient>,
  containerId: string,
  spec: ActionSpec,
): Promise<ToolResultData> {
  let accepted: Status;
  try {
    accepted =
      (await ctx.client.http.json<Status>({
        method: "POST",
        path: containerPath(containerId, `/${spec.action}`),
        ...(spec.body ? { body: spec.body } : {}),
        signal: ctx.signal,
      })) ?? {};
  } catch (error) {
    if (error instanceof UpstreamHttpError && error.status === 409) return conflict(ctx, containerId, spec);
    throw withHint(error, NOT_FOUND);
  }
  if (spec.wait <= 0) {
    return {
      text: `Requested ${spec.what} (202): ${statusLine(accepted)}. Follow with get-container-status or wait.`,
      structured: { started: true, status: accepted },
    };
  }
  const w = await waitUntilSettled(ctx, containerId, accepted, spec.wait * 1000);
  const secs = Math.round(w.waitedMs / 1000);
  const line = statusLine(w.status);
  const text = {
    settled: `Requested ${spec.what}; settled after ${secs} s: ${line}`,
    failed: `Requested ${spec.what}; it FAILED after ${secs} s: ${line}. See get-container-logs and list-container-deployments.`,
    timeout: `Requested ${spec.what}; still not settled after ${spec.wait} s (it continues on Qovery): ${line}`,
    cancelled: `Requested ${spec.what}; stopped waiting after ${secs} s (cancelled; it continues on Qovery): ${line}`,
  }[w.outcome];
  return {
    text,
    structured: { started: true, outcome: w.outcome, polls: w.polls, waitedMs: w.waitedMs, status: w.status },
    ...(w.outcome === "failed" ? { isError: true } : {}),
  };
}

async function conflict(
  ctx: ToolContext<QoveryClient>,
  containerId: string,
  spec: ActionSpec,
): Promise<ToolResultData> {
  const status = await getStatus(ctx.client, containerId, ctx.signal).catch(() => undefined);
  const state = status?.state;
  const why =
    spec.action === "stop" && state === "STOPPED"
      ? "the container is already stopped"
      : inProgress(state)
        ? `an operation is in progress (state ${String(state)}); retry once it settles (get-container-status)`
        : "Qovery reports an operation in progress on this container or its environment; retry shortly";
  return {
    text: `Not started: Qovery answered 409 to the ${spec.what}: ${why}.${status ? ` Now: ${statusLine(status)}` : ""}`,
    structured: { started: false, conflict: true, ...(status ? { status } : {}) },
  };
}

/** For a dry run: the container's status now and the action it would be asked for. */
export async function previewAction(
  ctx: ToolContext<QoveryClient>,
  containerId: string,
  what: string,
): Promise<string> {
  const status = await getStatus(ctx.client, containerId, ctx.signal);
  return `${statusLine(status)} → would request ${what}`;
}
