import {
  CancelledError,
  type CollectResult,
  closeWebSocket,
  collectWebSocket,
  connectWebSocket,
  encodePathSegment,
  InputError,
  rawDataToBuffer,
  type SessionDriver,
  type SessionRegistry,
  type StreamSession,
  sendChunked,
  UpstreamProtocolError,
  WebSocket,
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

const CHUNK = 64 * 1024;

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
async function connectAll(
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

/** How long a finishing session waits for fd 0's end-of-stream barrier before closing it anyway. */
const OUTPUT_DRAIN_MS = 10_000;

export interface SessionSpec extends ExecSpec {
  cols: number;
  rows: number;
}

/**
 * An interactive command (PTY) kept open as a core stream session: fd 0 carries both directions,
 * `control` carries window-resize and signals. When the command exits Incus closes `control` and
 * waits for us to close fd 0; then the exit code is read from the operation.
 */
export async function startExecSession(
  client: IncusClient,
  sessions: SessionRegistry,
  spec: SessionSpec,
  signal?: AbortSignal,
): Promise<{ session: StreamSession; operationId: string }> {
  sessions.assertCapacity();
  const op = await createExec(client, spec, { cols: spec.cols, rows: spec.rows }, signal);
  let session: StreamSession | undefined;
  const early: Buffer[] = [];
  let outputEnded = () => {};
  const ended = new Promise<void>((resolve) => {
    outputEnded = resolve;
  });
  const sockets = await connectAll(client, op, ["0", "control"], signal, (name, ws) => {
    if (name !== "0") return;
    ws.once("close", () => outputEnded());
    ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = rawDataToBuffer(data);
      if (!isBinary && buf.length === 0) return outputEnded();
      if (session) session.push(buf);
      else early.push(buf);
    });
  });
  const data = sockets.get("0") as WebSocket;
  const control = sockets.get("control") as WebSocket;
  let finishing: Promise<void> | undefined;
  const finish = () => {
    finishing ??= (async () => {
      await closeWebSocket(control, 1000, 500);
      // Incus closes control as soon as the command exits, while the command's last output may
      // still be on its way on fd 0; it ends with the barrier. Closing fd 0 before it came cut
      // that output off. Incus sends the barrier within about a second of the exit (a command
      // killed by closing control included); the bound only guards against one that never does.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise<void>((r) => (bound = setTimeout(r, OUTPUT_DRAIN_MS)))]);
      clearTimeout(bound);
      await closeWebSocket(data, 1000, 500);
      const waited = await waitOperationEnd(client, op.id, { timeoutSec: 10 }).catch(() => undefined);
      session?.markExited(returnCode(waited?.operation));
    })();
    return finishing;
  };
  // Incus closes `control` when the command exits and keeps the operation Running until WE close
  // fd 0: finish() closes control, drains fd 0 to its barrier, closes it, then reads the exit code.
  control.on("close", () => void finish());
  data.on("close", () => void finish());
  data.on("error", () => {});
  control.on("error", () => {});
  // core's connectWebSocket hands sockets over PAUSED: without resume() no frame (output, close,
  // ping) is ever read, which looked like "nothing flows on fd 0".
  data.resume();
  control.resume();
  const ensureOpen = (ws: WebSocket) => {
    if (ws.readyState !== WebSocket.OPEN) throw new InputError("sessionId", "the session's command has exited");
  };
  const sendJson = (value: unknown) =>
    new Promise<void>((resolve, reject) => {
      ensureOpen(control);
      control.send(JSON.stringify(value), (err) => (err ? reject(err) : resolve()));
    });
  const driver: SessionDriver = {
    async write(bytes) {
      ensureOpen(data);
      await sendChunked(data, bytes, { chunkSize: CHUNK, binary: true });
    },
    // A terminal has no separate stdin to close: end-of-file is ^D at the start of a line.
    async closeStdin() {
      ensureOpen(data);
      await sendChunked(data, Buffer.from([4]), { chunkSize: CHUNK, binary: true });
    },
    resize: (cols, rows) => sendJson({ command: "window-resize", args: { width: String(cols), height: String(rows) } }),
    signal: (n) => sendJson({ command: "signal", signal: n }),
    // Closing control SIGKILLs a command still running; then fd 0 lets the operation finish.
    close: () => finish(),
  };
  session = sessions.add("incus-exec", `${spec.instance}: ${spec.command.join(" ")}`.slice(0, 200), driver);
  for (const b of early) session.push(b);
  return { session, operationId: op.id };
}
