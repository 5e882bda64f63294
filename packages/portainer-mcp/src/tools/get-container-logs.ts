import { InputError } from "@infra-mcp/core";
import { z } from "zod";
import { portainer } from "../builder.js";
import {
  containerPath,
  inspectContainerDocument,
  stateLine,
  stateOf,
  withContainerHint,
} from "../containers.js";
import {
  dockerTime,
  LogDemuxer,
  type LogPiece,
  LogRenderer,
  LogTail,
  logNote,
  readLogBody,
} from "../docker-logs.js";
import { containerId, endpointId, unlisted } from "../schemas.js";
import { sessionText } from "../stream.js";

const time = z
  .union([z.string().min(1).max(64).meta(unlisted), z.number().min(0)])
  .optional()
  .describe("RFC 3339, Unix seconds, or a duration back from now (15m, 2h)");

const inputSchema = z.object({
  endpointId,
  containerId,
  stdout: z.boolean().default(true),
  stderr: z.boolean().default(true),
  tail: z
    .union([z.number().int().min(0).meta(unlisted), z.literal("all")])
    .default(100)
    .describe("Last N lines, or all"),
  since: time,
  until: time,
  timestamps: z.boolean().default(false).describe("Prefix each line with the engine's RFC 3339 time"),
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(16 * 1024 * 1024)
    .default(64 * 1024)
    .describe("Keep the newest this many bytes"),
  follow: z.boolean().default(false).describe("Open a session that keeps receiving new lines (session-read)"),
});

type Args = z.infer<typeof inputSchema>;

function logQuery(args: Args, follow: boolean): Record<string, string | undefined> {
  return {
    stdout: args.stdout ? "1" : "0",
    stderr: args.stderr ? "1" : "0",
    tail: String(args.tail),
    timestamps: args.timestamps ? "1" : "0",
    ...(args.since !== undefined ? { since: dockerTime("since", args.since) } : {}),
    ...(args.until !== undefined ? { until: dockerTime("until", args.until) } : {}),
    ...(follow ? { follow: "1" } : {}),
  };
}

export const getContainerLogs = portainer.tool({
  name: "get-container-logs",
  title: "Read a container's logs",
  description:
    "A Docker container's logs through Portainer: the last `tail` lines (default 100), optionally since/until a " +
    "time. stderr lines are marked [stderr] (a TTY container has one stream). Keeps the newest maxBytes and says " +
    "when older output was cut. follow:true opens a session that receives new lines (session-read).",
  toolset: "containers",
  inputSchema,
  hints: "readOnly",
  opensSession: true,
  async handler(args, ctx) {
    if (!args.stdout && !args.stderr) throw new InputError("stdout", "stdout and stderr are both false: nothing to read");
    if (args.follow) ctx.sessions.assertCapacity();
    const query = logQuery(args, args.follow);
    // Inspect first: resolves a name, gives a clear 404, and says whether the log is multiplexed
    // (Docker 20.10 labels both kinds application/vnd.docker.raw-stream, so the header cannot tell).
    const doc = await inspectContainerDocument(ctx.client, args.endpointId, args.containerId, ctx.signal);
    const state = stateOf(doc);
    const tty = Boolean(doc.Config?.Tty);
    const path = containerPath(args.endpointId, doc.Id, "logs");

    if (args.follow) {
      const controller = new AbortController();
      const res = await ctx.client.http
        .stream({ method: "GET", path, query, signal: controller.signal })
        .catch((error: unknown) => {
          throw withContainerHint(error);
        });
      const session = ctx.sessions.add("logs", `logs of ${state.name || state.id.slice(0, 12)}`, {
        write: async () => {
          throw new InputError("sessionId", "a log session is read-only (no stdin)");
        },
        close: async () => controller.abort(),
      });
      const demux = tty ? undefined : new LogDemuxer();
      const renderer = new LogRenderer();
      void (async () => {
        try {
          for await (const chunk of res.body) {
            const buf = Buffer.from(chunk);
            const pieces: LogPiece[] = demux ? demux.push(buf) : [{ stream: "tty", data: buf }];
            for (const piece of pieces) session.push(Buffer.from(renderer.render(piece)));
          }
        } catch {
          // closed by session-close, or the connection dropped: either way the stream is over
        }
        if (controller.signal.aborted) return session.markExited(null);
        // The engine ends a follow stream when the container stops: report how it ended.
        const after = await inspectContainerDocument(ctx.client, args.endpointId, doc.Id, AbortSignal.timeout(10_000))
          .then(stateOf)
          .catch(() => undefined);
        session.markExited(after && !after.running ? after.exitCode : null);
      })();
      return {
        text: `${sessionText(session, `following logs of ${stateLine(state)}`)} The session ends when the container stops.`,
        structured: { sessionId: session.id, containerId: doc.Id, name: state.name, tty, state },
      };
    }

    const res = await ctx.client.http.stream({ method: "GET", path, query, signal: ctx.signal }).catch((error: unknown) => {
      throw withContainerHint(error);
    });
    const tail = new LogTail(args.maxBytes);
    const timeoutMs = ctx.client.http.upstream.timeoutMs;
    const stopped = await readLogBody(res.body, tail, tty ? undefined : new LogDemuxer(), timeoutMs);
    const renderer = new LogRenderer();
    const entries = tail.pieces.map((p) => ({ stream: p.stream, text: p.data.toString("utf8") }));
    const log = tail.pieces.map((p) => renderer.render(p)).join("");
    const lines = tail.lineCount();
    const note = logNote(tail, stopped, timeoutMs, { tail: "tail", until: "until", timestamps: "timestamps" }, args.tail);
    const streams = tty ? "tty" : [args.stdout && "stdout", args.stderr && "stderr"].filter(Boolean).join("+");
    const head = `${stateLine(state)} · ${streams} · ${lines} line${lines === 1 ? "" : "s"}, ${tail.keptBytes} bytes`;
    return {
      text: `${head}${note ? ` ${note}` : ""}\n${log}`,
      structured: {
        containerId: doc.Id,
        name: state.name,
        tty,
        state,
        entries,
        lines,
        stdoutBytes: tail.bytesByStream.stdout,
        stderrBytes: tail.bytesByStream.stderr,
        totalBytes: tail.totalBytes,
        keptBytes: tail.keptBytes,
        truncated: Boolean(stopped || tail.droppedBytes),
        ...(stopped ? { stoppedReading: stopped } : {}),
      },
    };
  },
});
