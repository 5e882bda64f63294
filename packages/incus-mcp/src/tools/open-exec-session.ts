import { z } from "zod";
import { incus } from "../builder.js";
import { execTargetArgs } from "../exec.js";
import { startExecSession } from "../exec-session.js";

const inputSchema = z.object({
  ...execTargetArgs,
  command: z.array(z.string()).min(1).max(1000).default(["/bin/sh"]),
  cols: z.number().int().min(1).max(1000).default(80),
  rows: z.number().int().min(1).max(1000).default(24),
});

export const openExecSession = incus.tool({
  name: "open-exec-session",
  title: "Open interactive session in instance",
  description:
    "Start an interactive command (TTY; stdout+stderr merged) in an instance; returns a sessionId for the session-* tools (session-write eof sends ^D; session-close SIGKILLs a running command).",
  toolset: "exec",
  inputSchema,
  hints: "destructive",
  confirm: (args) => `start \`${args.command.join(" ")}\` interactively in Incus instance ${args.instance}`,
  opensSession: true,

  async handler(args, ctx) {
    const { session, operationId } = await startExecSession(ctx.client, ctx.sessions, args, ctx.signal);
    return {
      text: `session ${session.id} open: ${session.label} (operation ${operationId}). Read with session-read from offset 0.`,
      structured: { sessionId: session.id, operationId, instance: args.instance, command: args.command },
    };
  },
});
