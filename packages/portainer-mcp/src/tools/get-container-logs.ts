import { InputError } from "@infra-mcp/core";
import { z } from "zod";
import { portainer } from "../builder.js";
import { containerPath, inspectContainerDocument, stateLine, stateOf, withContainerHint } from "../containers.js";
import { dockerTime, LogDemuxer, LogRenderer, LogTail, logNote, readLogBody } from "../docker-logs.js";
import { endOfLog } from "../log-cursor.js";
import { followLogs } from "../log-follow.js";
import { containerId, endpointId, maxLogBytes, unlisted } from "../schemas.js";
import { sessionText } from "../stream.js";

const time = z.string().min(1).max(64).meta(unlisted).optional();

const inputSchema = z.object({
  endpointId,
  containerId,
  stdout: z.boolean().default(true),
  stderr: z.boolean().default(true),
  tail: z.union([z.number().int().min(0).meta(unlisted), z.literal("all")]).default(100),
  since: time,
  until: time,
  timestamps: z.boolean().default(false),
  maxBytes: maxLogBytes,
  follow: z.boolean().default(false),
});

type Args = z.infer<typeof inputSchema>;

/** How often a follow session asks for new lines. */
const FOLLOW_POLL_MS = 1_000;

function logQuery(args: Args): Record<string, string | undefined> {
  return {
    stdout: args.stdout ? "1" : "0",
    stderr: args.stderr ? "1" : "0",
    tail: String(args.tail),
    timestamps: args.timestamps ? "1" : "0",
    ...(args.since !== undefined ? { since: dockerTime("since", args.since) } : {}),
    ...(args.until !== undefined ? { until: dockerTime("until", args.until) } : {}),
  };
}

export const getContainerLogs = portainer.tool({
  name: "get-container-logs",
  title: "Read a container's logs",
  description:
    "Docker container logs via Portainer: the last `tail` lines, since/until (RFC 3339, Unix seconds, or 15m/2h " +
    "back). stderr lines marked [stderr]; a TTY has one stream. Keeps the newest maxBytes. follow:true opens a " +
    "session (session-read) that gets new lines.",
  toolset: "containers",
  inputSchema,
  hints: "readOnly",
  opensSession: "optional",
  async handler(args, ctx) {
    if (!args.stdout && !args.stderr)
      throw new InputError("stdout", "stdout and stderr are both false: nothing to read");
    if (args.follow) ctx.sessions.assertCapacity("follow");
    const query = logQuery(args);
    // Inspect first: resolves a name, gives a clear 404, and says whether the log is multiplexed
    // (Docker 20.10 labels both kinds application/vnd.docker.raw-stream, so the header cannot tell).
    const doc = await inspectContainerDocument(ctx.client, args.endpointId, args.containerId, ctx.signal);
    const state = stateOf(doc);
    const tty = Boolean(doc.Config?.Tty);
    const path = containerPath(args.endpointId, doc.Id, "logs");

    if (args.follow) {
      if (args.until !== undefined) throw new InputError("until", "cannot be combined with follow:true");
      // tail 0: only lines written after this call, so where the log ends is known before it returns.
      const from =
        args.tail === 0
          ? await endOfLog(ctx.client, args.endpointId, doc.Id, tty, query.since, ctx.signal).catch(
              (error: unknown) => {
                throw withContainerHint(error);
              },
            )
          : undefined;
      const controller = new AbortController();
      const session = ctx.sessions.add("logs", `logs of ${state.name || state.id.slice(0, 12)}`, {
        write: async () => {
          throw new InputError("sessionId", "a log session is read-only (no stdin)");
        },
        close: async () => controller.abort(),
      });
      followLogs(
        session,
        {
          client: ctx.client,
          endpointId: args.endpointId,
          containerId: doc.Id,
          tty,
          stdout: args.stdout,
          stderr: args.stderr,
          timestamps: args.timestamps,
          tail: args.tail,
          since: query.since,
          ...(from ? { from } : {}),
          pollMs: FOLLOW_POLL_MS,
        },
        controller.signal,
      );
      return {
        text: `${sessionText(session, `following logs of ${stateLine(state)}`)} New lines arrive about once a second; the session ends when the container stops.`,
        structured: { sessionId: session.id, containerId: doc.Id, name: state.name, tty, state },
      };
    }

    const res = await ctx.client.http
      .stream({ method: "GET", path, query, signal: ctx.signal })
      .catch((error: unknown) => {
        throw withContainerHint(error);
      });
    const tail = new LogTail(args.maxBytes);
    const timeoutMs = ctx.client.http.upstream.timeoutMs;
    const stopped = await readLogBody(res.body, tail, tty ? undefined : new LogDemuxer(), timeoutMs);
    const renderer = new LogRenderer();
    const entries = tail.pieces.map((p) => ({ stream: p.stream, text: p.data.toString("utf8") }));
    const log = tail.pieces.map((p) => renderer.render(p)).join("");
    const lines = tail.lineCount();
    const note = logNote(
      tail,
      stopped,
      timeoutMs,
      { tail: "tail", until: "until", timestamps: "timestamps" },
      args.tail,
    );
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
