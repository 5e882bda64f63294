import { InputError, type ToolContext, UpstreamHttpError } from "@infra-mcp/core";
import { z } from "zod";
import { openExecBridge } from "../bridges.js";
import { portainer } from "../builder.js";
import type { PortainerClient } from "../config.js";
import {
  killExec,
  type MarkedRun,
  MarkScanner,
  runMarked,
  sendLine,
  type Wrapped,
  wrapCommand,
} from "../exec-wrapper.js";
import { outputResult, truncNote } from "../output.js";
import { resizeTty, waitExitCode } from "../portainer.js";
import {
  endpointId,
  maxOutputBytes,
  nodeName,
  session,
  stdin,
  stdinEncoding,
  timeoutMs,
  unlisted,
} from "../schemas.js";
import { openBridgeSession, runOneShot, sessionText, stdinBytes } from "../stream.js";

const inputSchema = z.object({
  endpointId,
  containerId: z.string().min(1).max(256).meta(unlisted).optional().describe("Id or name"),
  command: z.array(z.string().max(65_536).meta(unlisted)).min(1).max(1000).meta(unlisted).optional().describe("argv"),
  execId: z.string().min(1).max(128).meta(unlisted).optional().describe("Existing exec to start"),
  stdin,
  stdinEncoding,
  closeStdin: z.boolean().default(true),
  mergeStderr: z.boolean().default(true),
  tty: z.boolean().default(false),
  user: z.string().min(1).max(256).meta(unlisted).optional(),
  workingDir: z.string().min(1).max(4096).meta(unlisted).optional(),
  env: z
    .array(
      z
        .string()
        .regex(/^[^=\s]+=/, "must be KEY=value")
        .meta(unlisted),
    )
    .max(200)
    .meta(unlisted)
    .optional()
    .describe("KEY=value"),
  nodeName,
  timeoutMs,
  maxOutputBytes,
  session,
  cols: z.number().int().min(1).max(1000).default(80),
  rows: z.number().int().min(1).max(1000).default(24),
});

type Args = z.infer<typeof inputSchema>;

/**
 * Portainer starts every exec with {Tty:true}, so Docker sends one raw stream and DROPS stderr of
 * a non-TTY exec; the bridge has no in-band end-of-file (closing the websocket tears down the
 * whole exec stream); it loses output at both ends of a short exec; and closing it does not end
 * the process. So the argv runs under an `sh -c` wrapper (src/exec-wrapper.ts) unless closeStdin
 * and mergeStderr are both false (images without sh): `head -c N` feeds exactly the stdin bytes
 * and then closes the pipe, `2>&1` folds stderr into stdout, a handshake keeps the output away
 * from both lossy edges, and the PID it reports lets a timed-out run or a closed session be killed.
 */
function wrapFor(args: Args, mode: "once" | "session", input: Buffer | undefined): Wrapped | undefined {
  if (args.execId || !args.command || (!args.closeStdin && !args.mergeStderr)) return undefined;
  return wrapCommand(args.command, {
    stdinLength: input !== undefined && args.closeStdin ? input.length : undefined,
    keepStdin: input !== undefined && !args.closeStdin,
    mergeStderr: args.mergeStderr,
    tty: args.tty,
    mode,
  });
}

/** The exec starts when Portainer hijacks it, just after the upgrade: retry briefly until it has. */
async function initialResize(resize: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 10; i++) {
    try {
      return await resize();
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export const executeWebsocket = portainer.tool({
  name: "execute-websocket",
  title: "Run a command in a container",
  description:
    "Run argv in a Docker container (or start execId) via Portainer; returns output, exitCode, durationMs, truncated. " +
    "Non-UTF-8 output bytes are lost. Portainer has no stdin EOF and drops non-TTY stderr, so it runs under sh -c " +
    "(head -c, 2>&1); closeStdin/mergeStderr false for images without sh. Past timeoutMs it is killed (without sh it may keep running).",
  toolset: "exec",
  inputSchema,
  hints: "destructive",
  opensSession: "optional",
  confirm: (args) =>
    args.execId
      ? `start exec ${args.execId} on Portainer endpoint ${args.endpointId}`
      : `run \`${(args.command ?? []).join(" ")}\` in container ${args.containerId} (Portainer endpoint ${args.endpointId})`,
  async handler(args, ctx) {
    if (args.execId && args.command) throw new InputError("command", "give either execId or command, not both");
    return args.session ? openExecSession(args, ctx) : runExecOnce(args, ctx);
  },
});

/** session:true — the exec runs as given (under the wrapper), its bridge kept open as a stream session. */
async function openExecSession(args: Args, ctx: ToolContext<PortainerClient>) {
  ctx.sessions.assertCapacity();
  const client = ctx.client;
  const input = stdinBytes(args.stdin, args.stdinEncoding);
  const wrapped = wrapFor(args, "session", undefined);
  const { execId: id, ws } = await openExecBridge(
    client,
    args,
    { attachStdin: true, ...(wrapped ? { cmd: () => wrapped.cmd } : {}) },
    ctx.signal,
  );
  let pidKnown: (pid: number) => void = () => {};
  const pid = new Promise<number>((resolve) => {
    pidKnown = resolve;
  });
  let out: Buffer[] = [];
  const scanner = wrapped
    ? new MarkScanner(wrapped.nonce, { data: (b) => out.push(b), started: (p) => pidKnown(p) })
    : undefined;
  const take = () => {
    const b = out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
    out = [];
    return b;
  };
  const s = openBridgeSession(ctx.sessions, {
    kind: "exec",
    label: `exec ${id.slice(0, 12)} in ${args.containerId ?? "container"} (endpoint ${args.endpointId})`,
    ws,
    ...(scanner
      ? {
          transform: (chunk: Buffer) => {
            scanner.push(chunk);
            return take();
          },
          flush: () => {
            scanner.flush();
            return take();
          },
          // Closing the bridge does not end the process (Portainer keeps its Docker connection
          // open): kill it by the PID the wrapper reported, then close.
          beforeClose: async () => {
            const known = await Promise.race([
              pid,
              new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000).unref()),
            ]);
            if (known !== undefined && args.containerId) {
              await killExec(client, args.endpointId, { containerId: args.containerId, execId: id, pid: known });
            }
          },
        }
      : {}),
    resize: (cols, rows) => resizeTty(client, args.endpointId, { execId: id }, cols, rows),
    exitCode: async () => (await waitExitCode(client, args.endpointId, id, 3_000)).exitCode,
  });
  if (wrapped) sendLine(ws);
  // A TTY starts at 0x0 and shells then query the terminal (ESC[6n) instead of running input;
  // give it a size first, as Portainer's own console does right after connecting.
  if (args.tty) await initialResize(() => resizeTty(client, args.endpointId, { execId: id }, args.cols, args.rows));
  if (input?.length) await s.driver.write(input);
  return {
    text: sessionText(s, `exec ${id}`),
    structured: { sessionId: s.id, execId: id, tty: args.tty },
  };
}

/** One-shot — stdin in, output collected to the end or a limit, then the exit code. */
async function runExecOnce(args: Args, ctx: ToolContext<PortainerClient>) {
  const client = ctx.client;
  const input = stdinBytes(args.stdin, args.stdinEncoding);
  const wrapped = wrapFor(args, "once", input);
  const { execId: id, ws } = await openExecBridge(
    client,
    args,
    wrapped ? { cmd: () => wrapped.cmd, attachStdin: true } : { attachStdin: args.tty || input !== undefined },
    ctx.signal,
  );
  const options = { stdin: input, maxBytes: args.maxOutputBytes, totalTimeoutMs: args.timeoutMs, signal: ctx.signal };
  const run: MarkedRun = wrapped ? await runMarked(ws, wrapped.nonce, options) : await runOneShot(ws, options);
  let state: { running: boolean; exitCode: number | null };
  let killed = false;
  try {
    if (run.exitCode !== undefined) state = { running: false, exitCode: run.exitCode };
    else if (run.pid !== undefined && run.endReason !== "closed" && args.containerId) {
      // Timed out or cancelled: the process would outlive the bridge; end it.
      state = await killExec(client, args.endpointId, { containerId: args.containerId, execId: id, pid: run.pid });
      killed = !state.running;
    } else state = await waitExitCode(client, args.endpointId, id, run.endReason === "closed" ? 5_000 : 0);
  } catch (error) {
    if (error instanceof UpstreamHttpError && error.status === 404) {
      throw new UpstreamHttpError(
        error.method,
        error.path,
        404,
        `exec ${id} does not exist (create it first, or pass containerId and command)`,
      );
    }
    throw error;
  }
  const result = outputResult(run, {
    execId: id,
    exitCode: state.exitCode,
    running: state.running,
    ...(killed ? { killed: true } : {}),
    ...(run.stdinError ? { stdinError: run.stdinError } : {}),
  });
  const status = killed
    ? `killed ${run.endReason === "cancelled" ? "on cancellation" : `after ${args.timeoutMs} ms (timeoutMs)`}, exit code ${state.exitCode}; for longer runs raise timeoutMs or use session:true`
    : state.running
      ? `still running after ${args.timeoutMs} ms (stopped collecting; exit code unknown; for the rest raise timeoutMs or use session:true)`
      : `exit code ${state.exitCode}`;
  return {
    text: `${status} · ${result.outputBytes} bytes · ${result.durationMs} ms${truncNote(result)}\n${result.output}`,
    structured: result,
  };
}
