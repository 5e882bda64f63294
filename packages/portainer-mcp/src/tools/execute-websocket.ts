import { InputError, type ToolContext, UpstreamHttpError } from "@infra-mcp/core";
import { z } from "zod";
import { openExecBridge } from "../bridges.js";
import { portainer } from "../builder.js";
import type { PortainerClient } from "../config.js";
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
 * a non-TTY exec; and the bridge has no in-band end-of-file (closing the websocket tears down the
 * whole exec stream). Both are solved the only way that works through the real bridge: wrap the
 * argv in `sh -c` — `head -c N` feeds exactly the stdin bytes and then closes the pipe, `2>&1`
 * folds stderr into stdout. The exit status of the pipeline is the command's.
 *
 * Portainer 2.23's bridge also loses output at both ends of a short exec (hijack.go): bytes that
 * arrive with Docker's 101 answer are read into a buffer it then drops, and when the stream ends
 * it closes the websocket while the last read may still be unsent — `echo hi` came back empty 9
 * times in 25 on a real Portainer. A 50 ms pause before and after the command (0 in 25) keeps the
 * output away from both edges; the exit status is kept.
 */
function buildCmd(argv: string[], args: Pick<Args, "closeStdin" | "mergeStderr" | "tty">, stdinLength?: number) {
  const eof = stdinLength !== undefined && args.closeStdin && !args.tty;
  const merge = args.mergeStderr && !args.tty;
  if (!eof && !merge) return argv;
  const script = `${EDGE_PAUSE}; ${eof ? 'head -c "$0" | ' : ""}"$@"${merge ? " 2>&1" : ""}; s=$?; ${EDGE_PAUSE}; exit $s`;
  return ["sh", "-c", script, eof ? String(stdinLength) : "sh", ...argv];
}

const EDGE_PAUSE = "sleep 0.05 2>/dev/null";

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
    "(head -c, 2>&1); closeStdin/mergeStderr false for images without sh. Past timeoutMs it may keep running (running:true).",
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

/** session:true — the exec runs as given, its bridge kept open as a stream session. */
async function openExecSession(args: Args, ctx: ToolContext<PortainerClient>) {
  ctx.sessions.assertCapacity();
  const client = ctx.client;
  const input = stdinBytes(args.stdin, args.stdinEncoding);
  const { execId: id, ws } = await openExecBridge(client, args, { attachStdin: true }, ctx.signal);
  const s = openBridgeSession(ctx.sessions, {
    kind: "exec",
    label: `exec ${id.slice(0, 12)} in ${args.containerId ?? "container"} (endpoint ${args.endpointId})`,
    ws,
    resize: (cols, rows) => resizeTty(client, args.endpointId, { execId: id }, cols, rows),
    exitCode: async () => (await waitExitCode(client, args.endpointId, id, 3_000)).exitCode,
  });
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
  const { execId: id, ws } = await openExecBridge(
    client,
    args,
    { cmd: (argv) => buildCmd(argv, args, input?.length), attachStdin: args.tty || input !== undefined },
    ctx.signal,
  );
  const run = await runOneShot(ws, {
    stdin: input,
    maxBytes: args.maxOutputBytes,
    totalTimeoutMs: args.timeoutMs,
    signal: ctx.signal,
  });
  let state: Awaited<ReturnType<typeof waitExitCode>>;
  try {
    state = await waitExitCode(client, args.endpointId, id, run.endReason === "closed" ? 5_000 : 0);
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
    ...(run.stdinError ? { stdinError: run.stdinError } : {}),
  });
  const status = state.running
    ? `still running after ${args.timeoutMs} ms (stopped collecting; exit code unknown; for the rest raise timeoutMs or use session:true)`
    : `exit code ${state.exitCode}`;
  return {
    text: `${status} · ${result.outputBytes} bytes · ${result.durationMs} ms${truncNote(result)}\n${result.output}`,
    structured: result,
  };
}
