import { z } from "zod";
import { qovery } from "../builder.js";
import { closeMeaning, openServiceLogs } from "../gateway.js";
import { type LogLine, logText, openGatewaySession, parseLogFrame, readFrames } from "../gateway-streams.js";
import { containerId, int, pod } from "../schemas.js";

export const getServiceLogs = qovery.tool({
  name: "get-service-logs",
  title: "Get live service logs",
  description:
    "Live logs (Qovery's websocket gateway) until maxLines or seconds: time, pod, message. follow: open a session (session-read).",
  toolset: "logs",
  inputSchema: z.object({
    containerId,
    pod,
    maxLines: int(1, 10_000).default(200),
    seconds: int(1, 300).default(5),
    follow: z.boolean().default(false),
  }),
  hints: "readOnly",
  opensSession: "optional",
  async handler(args, ctx) {
    if (args.follow) ctx.sessions.assertCapacity("follow");
    const { ids, ws } = await openServiceLogs(ctx.client, args, ctx.signal);
    if (args.follow) {
      const s = openGatewaySession(ctx.sessions, ws, "qovery-logs", `logs of ${args.containerId}`);
      return {
        text: `opened log stream session ${s.id}: read with session-read (offset 0, then nextOffset); close with session-close.`,
        structured: { sessionId: s.id, ids },
      };
    }
    const lines: LogLine[] = [];
    const end = await readFrames(ws, {
      onFrame: (data) => {
        lines.push(parseLogFrame(data));
        return lines.length < args.maxLines;
      },
      totalMs: args.seconds * 1000,
      signal: ctx.signal,
    });
    const closed = end.reason === "closed" ? closeMeaning(end.closeCode, end.closeReason) : undefined;
    const head =
      end.reason === "limit"
        ? `${lines.length} lines (maxLines reached; raise maxLines, or follow: true for a session)`
        : end.reason === "time"
          ? `${lines.length} lines in ${args.seconds} s`
          : end.reason === "cancelled"
            ? `${lines.length} lines before the call was cancelled`
            : `${lines.length} lines, then ${closed?.text}`;
    const failed = closed !== undefined && !closed.normal;
    return {
      text: `${failed ? "Error: " : ""}${head}${failed && lines.length ? " (lines received so far below)" : ""}:\n${lines.map(logText).join("\n")}`,
      structured: {
        lines,
        endReason: end.reason,
        ...(end.closeCode !== undefined ? { closeCode: end.closeCode } : {}),
        ids,
      },
      ...(failed ? { isError: true } : {}),
    };
  },
});
