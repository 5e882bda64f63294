import { z } from "zod";
import { incus } from "../builder.js";
import { execTargetArgs, runExec } from "../exec.js";

const inputSchema = z.object({
  ...execTargetArgs,
  command: z.array(z.string()).min(1).max(1000).describe('argv, no shell (use ["sh","-c",…])'),
  stdin: z.string().max(16_777_216).optional(),
  stdinEncoding: z.enum(["utf8", "base64"]).default("utf8"),
  timeoutSeconds: z.number().int().min(1).max(86_400).default(60),
  maxOutputBytes: z.number().int().min(1).max(16_777_216).default(1_048_576).describe("Per stream"),
});

export const execInInstance = incus.tool({
  name: "exec-in-instance",
  title: "Run command in instance",
  description:
    "Run a command in an instance (no TTY; stdin then EOF) to completion → exit code, stdout, stderr (UTF-8, else base64). user/group are numeric uid/gid. Output past maxOutputBytes is cut (truncated; usually SIGPIPE, exit 141). Timeout or cancel SIGKILLs it.",
  toolset: "exec",
  inputSchema,
  hints: "destructive",
  confirm: (args) => `run \`${args.command.join(" ")}\` in Incus instance ${args.instance}`,

  async handler(args, ctx) {
    const r = await runExec(ctx.client, args, {
      stdin:
        args.stdin === undefined
          ? undefined
          : Buffer.from(args.stdin, args.stdinEncoding === "base64" ? "base64" : "utf8"),
      timeoutSec: args.timeoutSeconds,
      maxOutputBytes: args.maxOutputBytes,
      signal: ctx.signal,
    });
    const out = r.stdout.output.decode();
    const err = r.stderr.output.decode();
    const stream = (name: string, d: { text: string; encoding: string }, o: typeof r.stdout.output) =>
      `--- ${name} (${o.totalBytes} bytes${o.truncated ? `, truncated to ${o.storedBytes}; raise maxOutputBytes for more` : ""}${d.encoding === "base64" ? ", base64" : ""}) ---\n${d.text}`;
    const head = r.timedOut
      ? `timed out after ${args.timeoutSeconds}s and was killed${r.exitCode !== null ? ` (exit code ${r.exitCode})` : ""}`
      : `exit code ${r.exitCode ?? "unknown"}`;
    return {
      text: `${head}\n${stream("stdout", out, r.stdout.output)}\n${stream("stderr", err, r.stderr.output)}`,
      structured: {
        instance: args.instance,
        operationId: r.operationId,
        exitCode: r.exitCode,
        timedOut: r.timedOut,
        stdout: out.text,
        stdoutEncoding: out.encoding,
        stdoutBytes: r.stdout.output.totalBytes,
        stdoutTruncated: r.stdout.output.truncated,
        stderr: err.text,
        stderrEncoding: err.encoding,
        stderrBytes: r.stderr.output.totalBytes,
        stderrTruncated: r.stderr.output.truncated,
        durationMs: r.durationMs,
      },
      ...(r.timedOut ? { isError: true } : {}),
    };
  },
});
