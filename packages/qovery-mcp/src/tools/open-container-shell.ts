import { BoundedOutput, InputError } from "@infra-mcp/core";
import { z } from "zod";
import { qovery } from "../builder.js";
import { closeMeaning, openShell } from "../gateway.js";
import { EOT, openGatewaySession, readFrames, sendStdin } from "../gateway-streams.js";
import { containerId, int, pod, unlisted } from "../schemas.js";

const tty = int(0, 1000).meta(unlisted).optional();

export const openContainerShell = qovery.tool({
  name: "open-container-shell",
  title: "Container shell",
  description:
    "Runs argv in a pod via Qovery's gateway; returns output when it ends (no exit code). Sends stdin, then EOF. session: keep it open (session-*). cols/rows: TTY size, fixed at open (default none; session 80x24).",
  toolset: "shell",
  inputSchema: z.object({
    containerId,
    command: z.array(z.string().max(8192).meta(unlisted)).min(1).max(256).meta(unlisted).default(["sh"]),
    pod,
    container: pod,
    stdin: z
      .string()
      .max(8 * 1024 * 1024)
      .meta(unlisted)
      .optional(),
    cols: tty,
    rows: tty,
    session: z.boolean().default(false),
    timeoutMs: int(100, 600_000).meta(unlisted).default(60_000),
    maxOutputBytes: int(1, 16 * 1024 * 1024)
      .meta(unlisted)
      .default(1024 * 1024),
  }),
  hints: "destructive",
  opensSession: "optional",
  confirm: (args) => `run \`${args.command.join(" ")}\` in container ${args.containerId}`,
  async handler(args, ctx) {
    if ((args.cols === undefined) !== (args.rows === undefined)) {
      throw new InputError(args.cols === undefined ? "cols" : "rows", "give both cols and rows, or neither");
    }
    if (args.session) ctx.sessions.assertCapacity();
    const [cols, rows] = args.cols !== undefined ? [args.cols, args.rows ?? 0] : args.session ? [80, 24] : [0, 0];
    const spec = { command: args.command, pod: args.pod, container: args.container, cols, rows };
    const { ws } = await openShell(ctx.client, args.containerId, spec, ctx.signal);
    const stdin = Buffer.from(args.stdin ?? "", "utf8");
    if (args.session) {
      const s = openGatewaySession(ctx.sessions, ws, "qovery-shell", `${args.command[0]} in ${args.containerId}`);
      if (stdin.length) await s.driver.write(stdin);
      return {
        text: `opened shell session ${s.id} (${cols}x${rows}). session-write sends input (end lines with \\n), session-read reads output by offset, session-close ends it.`,
        structured: { sessionId: s.id, argv: args.command, cols, rows },
      };
    }
    const out = new BoundedOutput(args.maxOutputBytes);
    // Output is binary frames only (the CLI ignores text frames too); past the cap it is counted, not kept.
    const ending = readFrames(ws, {
      onFrame: (data, isBinary) => {
        if (isBinary) out.append(data);
        return true;
      },
      totalMs: args.timeoutMs,
      signal: ctx.signal,
    });
    let stdinError: string | undefined;
    // As the CLI does when its piped stdin ends: the input, then EOT, so the command sees end-of-file.
    await sendStdin(ws, Buffer.concat([stdin, EOT])).catch((e: Error) => {
      stdinError = e.message;
    });
    const end = await ending;
    const closed = end.reason === "closed" ? closeMeaning(end.closeCode, end.closeReason) : undefined;
    const failed = closed !== undefined && !closed.normal;
    const decoded = out.decode();
    const why =
      end.reason === "time"
        ? `stopped after ${args.timeoutMs} ms (the command may still run)`
        : end.reason === "cancelled"
          ? "cancelled"
          : closed?.normal
            ? "command ended"
            : `${closed?.text}; output received so far is kept`;
    const cut = out.truncated
      ? ` [truncated: kept ${out.storedBytes} of ${out.totalBytes} bytes; raise maxOutputBytes]`
      : "";
    return {
      text: `${failed ? "Error: " : ""}${why} · ${out.totalBytes} bytes · ${end.durationMs} ms${cut}${stdinError ? ` · stdin not fully sent: ${stdinError}` : ""}\n${decoded.text}`,
      structured: {
        output: decoded.text,
        encoding: decoded.encoding,
        outputBytes: out.totalBytes,
        truncated: out.truncated,
        exitCode: null,
        endReason: end.reason,
        ...(end.closeCode !== undefined ? { closeCode: end.closeCode } : {}),
        durationMs: end.durationMs,
        argv: args.command,
      },
      ...(failed ? { isError: true } : {}),
    };
  },
});
