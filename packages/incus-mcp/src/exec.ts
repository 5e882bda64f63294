import {
  CancelledError,
  type CollectResult,
  closeWebSocket,
  collectWebSocket,
  connectWebSocket,
  encodePathSegment,
  sendChunked,
  UpstreamProtocolError,
  type WebSocket,
} from "@infra-mcp/core";
import { z } from "zod";
import { type IncusOperation, incusCall, operationPath, projectArg, projectQuery } from "./api.js";
import type { IncusClient } from "./config.js";
import { waitOperationEnd } from "./wait.js";

/** The arguments that say where and as whom a command runs (exec-in-instance, open-exec-session). */
export const execTargetArgs = {
  instance: z.string().min(1),
  environment: z.record(z.string(), z.string()).optional(),
  cwd: z.string().min(1).optional(),
  user: z.number().int().min(0).max(4_294_967_295).optional(),
  group: z.number().int().min(0).max(4_294_967_295).optional(),
  project: projectArg,
};

export interface ExecSpec {
  instance: string;
  command: string[];
  environment?: Record<string, string> | undefined;
  cwd?: string | undefined;
  user?: number | undefined;
  group?: number | undefined;
  project?: string | undefined;
}

export interface ExecOperation {
  id: string;
  /** fd name ("0", "1", "2", "control") → websocket secret. */
  fds: Record<string, string>;
}

export const CHUNK = 64 * 1024;

/** POST /1.0/instances/{name}/exec with wait-for-websocket: the command starts once every fd is connected. */
export async function createExec(
  client: IncusClient,
  spec: ExecSpec,
  terminal: { cols: number; rows: number } | undefined,
  signal?: AbortSignal,
): Promise<ExecOperation> {
  const body: Record<string, unknown> = {
    command: spec.command,
    "wait-for-websocket": true,
    interactive: terminal !== undefined,
  };
  if (spec.environment) body.environment = spec.environment;
  if (spec.cwd) body.cwd = spec.cwd;
  if (spec.user !== undefined) body.user = spec.user;
  if (spec.group !== undefined) body.group = spec.group;
  if (terminal) {
    body.width = terminal.cols;
    body.height = terminal.rows;
  }
  const res = await incusCall<IncusOperation>(client, {
    method: "POST",
    path: `/1.0/instances/${encodePathSegment("instance", spec.instance)}/exec`,
    query: projectQuery(client, spec.project),
    body,
    signal,
  });
  const op = res.metadata;
  const fds = op?.metadata?.fds as Record<string, string> | undefined;
  if (!op?.id || !fds) throw new UpstreamProtocolError("Incus exec answered without an operation id and fds");
  return { id: op.id, fds };
}

/**
 * Connects one fd of an exec operation (`/1.0/operations/{id}/websocket?secret=`). An `output`
 * socket (fd "1" or "2" of a non-interactive exec) is opened mute: it does not answer Incus's
 * pings. Incus writes the output, the end-of-stream barrier, then drops the socket at once; a
 * pong that meets that drop fails with EPIPE (ECONNRESET over TCP) and Node then destroys the
 * socket with the output still unread in the kernel's buffer: the output was lost under load.
 * Incus sets no read deadline, so it never misses the pongs.
 */
export function openFd(
  client: IncusClient,
  operationId: string,
  secret: string,
  options: { public?: boolean; output?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<WebSocket> {
  return connectWebSocket(client.http.upstream, operationPath(operationId, "/websocket"), {
    query: { secret, ...(options.public ? { public: "" } : {}) },
    signal: options.signal,
    autoPong: !options.output,
  });
}

/** The empty text frame Incus reads as end-of-stream (closes the command's stdin). */
export function sendBarrier(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) =>
    ws.send(Buffer.alloc(0), { binary: false }, (err) => (err ? reject(err) : resolve())),
  );
}

export function returnCode(op: IncusOperation | undefined): number | null {
  const r = op?.metadata?.return;
  return typeof r === "number" ? r : null;
}

/** A non-interactive exec's output fds: read only, never written to (see openFd). */
const OUTPUT_FDS = new Set(["1", "2"]);

/**
 * Connects `control` first, then every other fd in `names` (together); on any failure closes what
 * opened and rethrows. The order matters: Incus starts the command once the data fds are
 * connected and, for a non-interactive exec, does not wait for `control`. A short command could
 * then finish before a late `control` connected ("Only running operations can be connected"),
 * so control goes first, as the incus client does it.
 */
export async function connectAll(
  client: IncusClient,
  op: ExecOperation,
  names: readonly string[],
  signal: AbortSignal | undefined,
  onOpen: (name: string, ws: WebSocket) => void,
): Promise<Map<string, WebSocket>> {
  const opened = new Map<string, WebSocket>();
  const connect = async (name: string) => {
    const secret = op.fds[name];
    if (!secret) throw new UpstreamProtocolError(`Incus exec operation has no fd "${name}"`);
    const ws = await openFd(client, op.id, secret, { signal, output: OUTPUT_FDS.has(name) });
    opened.set(name, ws);
    // Attach readers right away: the command starts as soon as the last data fd connects.
    onOpen(name, ws);
    return ws;
  };
  const fail = (reason: unknown): never => {
    for (const ws of opened.values()) ws.terminate();
    throw reason;
  };
  if (names.includes("control")) await connect("control").catch(fail);
  const results = await Promise.allSettled(names.filter((n) => n !== "control").map(connect));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) fail((failed as PromiseRejectedResult).reason);
  return opened;
}

export interface RunOptions {
  stdin?: Buffer | undefined;
  timeoutSec: number;
  maxOutputBytes: number;
  signal?: AbortSignal | undefined;
}

export interface RunResult {
  operationId: string;
  exitCode: number | null;
  stdout: CollectResult;
  stderr: CollectResult;
  timedOut: boolean;
  durationMs: number;
}

/**
 * Runs a command to completion: fds 0/1/2/control, stdin then the barrier, stdout and stderr
 * collected apart (bounded; bytes past the cap are counted, not kept), the exit code from the
 * operation. A timeout or a client cancel closes the control socket, which SIGKILLs the command.
 */
export async function runExec(client: IncusClient, spec: ExecSpec, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const deadline = Date.now() + options.timeoutSec * 1000;
  const op = await createExec(client, spec, undefined, options.signal);
  const collectOptions = {
    maxBytes: options.maxOutputBytes,
    totalTimeoutMs: options.timeoutSec * 1000,
    signal: options.signal,
    endOnEmptyText: true,
    onMaxBytes: "close" as const,
  };
  const collectors = new Map<string, Promise<CollectResult>>();
  const sockets = await connectAll(client, op, ["0", "1", "2", "control"], options.signal, (name, ws) => {
    if (name === "1" || name === "2") collectors.set(name, collectWebSocket(ws, collectOptions));
  });
  const stdin = sockets.get("0") as WebSocket;
  const control = sockets.get("control") as WebSocket;
  // Sockets come PAUSED from core; nothing is read from these two, but resuming lets their close
  // frames through (a graceful close instead of waiting out the grace period).
  stdin.on("error", () => {});
  control.on("error", () => {});
  stdin.resume();
  control.resume();
  let killed = false;
  const kill = async () => {
    if (killed) return;
    killed = true;
    await closeWebSocket(control, 1000, 500);
  };
  const onAbort = () => void kill();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    void (async () => {
      if (options.stdin?.length) await sendChunked(stdin, options.stdin, { chunkSize: CHUNK, binary: true });
      await sendBarrier(stdin);
    })().catch(() => {});
    const [stdout, stderr] = (await Promise.all([collectors.get("1"), collectors.get("2")])) as [
      CollectResult,
      CollectResult,
    ];
    let timedOut = stdout.endReason === "total-timeout" || stderr.endReason === "total-timeout";
    if (timedOut) await kill();
    if (options.signal?.aborted) {
      await kill();
      throw new CancelledError(`exec in ${spec.instance}`);
    }
    // Output ended; the exit code is on the operation (read it now: finished operations vanish after ~5 s).
    const remaining = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    let waited = await waitOperationEnd(client, op.id, {
      timeoutSec: timedOut ? 5 : remaining,
      signal: options.signal,
    });
    if (!waited.done && !killed) {
      // Output closed but the process kept running past the timeout.
      timedOut = true;
      await kill();
      waited = await waitOperationEnd(client, op.id, { timeoutSec: 5 });
    }
    const failed = waited.operation?.status === "Failure" ? waited.operation : undefined;
    if (failed && returnCode(failed) === null && !killed) {
      // The command never ran (e.g. "Timed out waiting for websockets to connect"): empty output
      // here is no output of the command's, so say why instead of returning it.
      throw new UpstreamProtocolError(`Incus exec operation ${op.id} failed: ${failed.err || "no reason given"}`);
    }
    return {
      operationId: op.id,
      exitCode: returnCode(waited.operation),
      stdout,
      stderr,
      timedOut,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    if (!killed) await closeWebSocket(control, 1000, 500);
    await closeWebSocket(stdin, 1000, 500);
  }
}
