import {
  type InfraMcpError,
  UpstreamHttpError,
  UpstreamProtocolError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "@infra-mcp/core";
import { z } from "zod";
import { type IncusEnvelope, type IncusOperation, incusCall, isEnvelope, isFinal, operationPath } from "./api.js";
import type { IncusClient } from "./config.js";

export interface WaitOptions {
  /** Seconds; -1 waits until the operation ends, however long. */
  timeoutSec: number;
  /** Public (untrusted) variant: `?public&secret=`. */
  secret?: string;
  signal?: AbortSignal | undefined;
  /** Called every `pollMs` while waiting (MCP progress). */
  onProgress?: (elapsedSec: number, message: string) => Promise<void>;
  pollMs?: number;
}

export interface WaitResult {
  /** The operation reached a final state (Success, Failure, Cancelled). */
  done: boolean;
  /** Final (or, after a timeout, current) state; absent when it cannot be read (public wait). */
  operation?: IncusOperation;
  waitedMs: number;
}

/** Incus answers a wait that ran out of time with HTTP 200 and this body (LXD returns the Running op). */
function isDeadline(body: IncusEnvelope): boolean {
  return body.type === "error" && body.error_code === 500 && /deadline exceeded/i.test(body.error ?? "");
}

/**
 * One upstream wait covering the whole requested time: the HTTP timeout is the wait plus a margin
 * (or off for -1), so nothing here cuts a long wait short. Beside it a heartbeat reads the
 * operation (the public variant: `/1.0`) at once and every `pollMs`, with the ordinary request
 * timeout: its answers feed the progress messages, and an upstream that does not answer it within
 * INCUS_TIMEOUT_MS (a silent or half-open server) ends the wait with that error instead of holding
 * the call for the whole wait. The client's cancel aborts the upstream request.
 */
export async function waitOperationEnd(client: IncusClient, id: string, options: WaitOptions): Promise<WaitResult> {
  const path = operationPath(id, "/wait");
  const started = performance.now();
  const query: Record<string, string> = { timeout: String(options.timeoutSec) };
  if (options.secret !== undefined) {
    query.public = "";
    query.secret = options.secret;
  }
  const dead = new AbortController();
  let deadError: InfraMcpError | undefined;
  let busy = false;
  const heartbeat = async () => {
    if (busy || dead.signal.aborted) return;
    busy = true;
    const elapsed = Math.round((performance.now() - started) / 1000);
    let message = `waiting for operation ${id} (${elapsed}s)`;
    try {
      if (options.secret === undefined) {
        const op = (
          await incusCall<IncusOperation>(client, {
            method: "GET",
            path: operationPath(id),
            signal: options.signal,
            retry: false,
          })
        ).metadata;
        message = `${op.status}: ${op.description}${progressOf(op)}`;
      } else {
        await client.http.json({ method: "GET", path: "/1.0", signal: options.signal, retry: false });
      }
    } catch (error) {
      if (error instanceof UpstreamTimeoutError || error instanceof UpstreamUnavailableError) {
        deadError = error;
        dead.abort();
        return;
      }
      // any other answer proves the daemon is there; the wait itself reports errors
    } finally {
      busy = false;
    }
    if (elapsed > 0) await options.onProgress?.(elapsed, message).catch(() => {});
  };
  void heartbeat();
  const ticker = setInterval(() => void heartbeat(), options.pollMs ?? 2_000);
  try {
    const body = await client.http
      .json<unknown>({
        method: "GET",
        path,
        query,
        // The upstream holds the request for timeoutSec; give it room, and no cap at all for -1.
        timeoutMs: options.timeoutSec < 0 ? 0 : options.timeoutSec * 1000 + 15_000,
        retry: false,
        signal: options.signal ? AbortSignal.any([options.signal, dead.signal]) : dead.signal,
      })
      .catch((error: unknown) => {
        throw deadError && !options.signal?.aborted ? deadError : error;
      });
    const waitedMs = Math.round(performance.now() - started);
    if (!isEnvelope(body)) throw new UpstreamProtocolError(`GET ${path}: Incus answered without its JSON envelope`);
    if (isDeadline(body)) {
      const result: WaitResult = { done: false, waitedMs };
      if (options.secret === undefined) {
        const op = await readOperation(client, id, options.signal);
        if (op) {
          result.operation = op;
          result.done = isFinal(op);
        }
      }
      return result;
    }
    if (body.type === "error") {
      // Incus answers a wait on an operation that FAILED with an error body carrying the
      // operation's err; the operation itself (status Failure) is the answer then.
      const op = options.secret === undefined ? await readOperation(client, id, options.signal) : undefined;
      if (op && isFinal(op)) return { done: true, operation: op, waitedMs };
      throw new UpstreamHttpError("GET", path, body.error_code ?? 0, body.error ?? "");
    }
    const op = body.metadata as IncusOperation;
    return { done: isFinal(op), operation: op, waitedMs };
  } finally {
    clearInterval(ticker);
  }
}

async function readOperation(
  client: IncusClient,
  id: string,
  signal?: AbortSignal,
): Promise<IncusOperation | undefined> {
  try {
    return (await incusCall<IncusOperation>(client, { method: "GET", path: operationPath(id), signal })).metadata;
  } catch (error) {
    if (error instanceof UpstreamHttpError && error.status === 404) return undefined;
    throw error;
  }
}

/** Incus operations report progress in metadata (e.g. `download_progress`, `*_progress`). */
export function progressOf(op: IncusOperation): string {
  const md = op.metadata ?? {};
  const parts: string[] = [];
  for (const [k, v] of Object.entries(md)) {
    if (/progress/i.test(k) && (typeof v === "string" || typeof v === "number")) parts.push(`${k}=${v}`);
    if (k === "progress" && v && typeof v === "object") parts.push(JSON.stringify(v));
  }
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** The wait-operation(-2) `timeout` argument. */
export const waitTimeout = z.number().int().min(-1).default(60).describe("Seconds; -1 = until it ends");

/** The tool-facing wait shared by wait-operation and wait-operation-2: MCP progress while waiting. */
export async function waitResult(
  client: IncusClient,
  args: { id: string; timeout: number; secret?: string },
  ctx: { signal: AbortSignal; progress(p: number, total?: number, message?: string): Promise<void> },
) {
  const total = args.timeout >= 0 ? args.timeout : undefined;
  const r = await waitOperationEnd(client, args.id, {
    timeoutSec: args.timeout,
    ...(args.secret !== undefined ? { secret: args.secret } : {}),
    signal: ctx.signal,
    onProgress: (elapsed, message) => ctx.progress(elapsed, total, message),
  });
  const op = r.operation;
  const state = op ? `${op.status}${op.err ? ` — ${op.err}` : ""}` : "still running";
  const ret = op?.metadata && "return" in op.metadata ? `; exit code ${String(op.metadata.return)}` : "";
  const text = r.done
    ? `operation ${args.id} finished: ${state}${ret} (waited ${r.waitedMs} ms)`
    : `operation ${args.id} not finished after ${args.timeout}s: ${state}${op ? progressOf(op) : ""}. Call again to keep waiting.`;
  return {
    text,
    structured: {
      id: args.id,
      done: r.done,
      timedOut: !r.done,
      waitedMs: r.waitedMs,
      ...(op ? { operation: op } : {}),
    },
  };
}
