import { z } from "zod";
import { InputError } from "../base/errors.js";
import { toolMaker } from "./define.js";
import type { AnyTool } from "./definition.js";
import { SESSIONS_TOOLSET } from "./toolsets.js";

/**
 * The vendor-neutral half of session mode: once a vendor tool has opened a session, these read,
 * write, resize, signal and close it through the vendor's SessionDriver.
 */
const sessionId = z.string().min(1).max(100).describe("Id returned when the session was opened");

/** They need no vendor's client and read nothing beyond this process: no open world. */
const LOCAL_READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

const toolset = SESSIONS_TOOLSET;

/**
 * Core's own builder: these tools belong to no vendor, so there is no vendor toolset to check; they
 * act on an open stream, not through the upstream layer a dry run intercepts (describeOnly).
 */
const session = toolMaker<unknown>({ checkToolset: () => {}, describeOnly: true });

/**
 * How long a read that found output keeps gathering more while it flows: until maxBytes (of a
 * live stream at most a quarter of the session buffer) are there, output pauses for
 * GATHER_QUIET_MS, or GATHER_MAX_MS pass (within waitMs). Without it a flowing stream is read in
 * upstream-chunk slices, and every read costs its fixed share (request, result, a write to the
 * client) again: a 64 MiB log took over a thousand reads of 1 MiB at most.
 */
const GATHER_QUIET_MS = 5;
const GATHER_MAX_MS = 50;

/**
 * Where decodeAfter lays out a text's bytes: one buffer for the process, as large as the largest
 * read so far (maxBytes is at most 1 MiB), instead of a megabyte allocated per read and left for
 * the garbage collector.
 */
let scratch = Buffer.alloc(0);

/** `head` and then the UTF-8 `data`, decoded in one piece (one flat string, no join to flatten). */
function decodeAfter(head: string, data: Buffer): string {
  const headBytes = Buffer.byteLength(head);
  const size = headBytes + data.length;
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.ceil(size / 65_536) * 65_536);
  scratch.write(head, 0);
  data.copy(scratch, headBytes);
  return scratch.toString("utf8", 0, size);
}

const readSession = session.tool({
  name: "session-read",
  title: "Read session output",
  description:
    "Read an open or exited session's output from a byte offset (0, then nextOffset), waiting up to waitMs for new output. Output older than the session buffer is dropped; missedBytes counts it.",
  inputSchema: z.object({
    sessionId,
    // The listed schema omits zod's implicit 2^53 maximum (context cost); validation keeps it.
    offset: z.number().int().min(0).meta({ maximum: undefined }).default(0),
    maxBytes: z.number().int().min(1).max(1_048_576).default(65_536),
    waitMs: z.number().int().min(0).max(60_000).default(1_000),
  }),
  toolset,
  hints: LOCAL_READ,
  usesSessions: true,
  async handler(args, ctx) {
    const s = ctx.sessions.get(args.sessionId);
    const started = Date.now();
    await s.waitForOutput(args.offset, args.waitMs, ctx.signal);
    const left = args.waitMs - (Date.now() - started);
    // A live stream cannot wait: it keeps pushing while this answer travels, and a full buffer
    // drops the oldest bytes, so a read of one gathers a quarter of the buffer at most. A
    // producer that waits for its reader may fill it.
    const enough = s.paced ? args.maxBytes : Math.min(args.maxBytes, Math.ceil(s.output.window / 4));
    await s.gatherOutput(args.offset, enough, GATHER_QUIET_MS, Math.min(GATHER_MAX_MS, left), ctx.signal);
    const { data, ...r } = s.readBytes(args.offset, args.maxBytes);
    const status = r.state === "exited" ? `exited${r.exitCode != null ? ` (code ${r.exitCode})` : ""}` : "open";
    const missed = r.missedBytes ? ` [${r.missedBytes} earlier bytes dropped from the buffer]` : "";
    const head = `session ${s.id} ${status}; bytes ${r.offset}-${r.nextOffset}${missed}${r.encoding === "base64" ? " (base64)" : ""}\n`;
    // The output goes once, in the text after its first line; structuredContent says where it
    // came from and where to go on. A copy there too would double what every read serializes,
    // redacts, writes and the client parses (a followed log is read megabyte by megabyte). The
    // text is decoded in one piece with its first line: a line joined to a decoded megabyte
    // would be copied once more to be made flat (for the redactor, then the JSON).
    const text = r.encoding === "utf8" ? decodeAfter(head, data) : head + data.toString("base64");
    return { text, structured: { sessionId: s.id, ...r } };
  },
});

const writeSession = session.tool({
  name: "session-write",
  title: "Write to session",
  description:
    "Send input to an open session's stdin (end a line with \\n to submit it); data is base64 when encoding=base64. eof:true closes stdin after writing.",
  inputSchema: z.object({
    sessionId,
    data: z.string().max(1_048_576).default(""),
    encoding: z.enum(["utf8", "base64"]).default("utf8"),
    eof: z.boolean().default(false),
  }),
  toolset,
  hints: "destructive",
  usesSessions: true,
  confirm: (args) => {
    const shown =
      args.encoding === "base64" ? `${Buffer.from(args.data, "base64").length} bytes` : JSON.stringify(args.data);
    return `type ${shown.length > 200 ? `${shown.slice(0, 199)}…"` : shown} into session ${args.sessionId}${args.eof ? ", then close its stdin" : ""}`;
  },
  async handler(args, ctx) {
    const s = ctx.sessions.get(args.sessionId);
    if (s.state === "exited")
      throw new InputError("sessionId", `session ${s.id} has exited; its output is still readable`);
    const bytes = Buffer.from(args.data, args.encoding === "base64" ? "base64" : "utf8");
    if (bytes.length) await s.driver.write(bytes);
    if (args.eof) {
      if (!s.driver.closeStdin) throw new InputError("eof", `this ${s.kind} session cannot close stdin separately`);
      await s.driver.closeStdin();
    }
    return {
      text: `wrote ${bytes.length} bytes to session ${s.id}${args.eof ? " and closed stdin" : ""}`,
      structured: { sessionId: s.id, bytesWritten: bytes.length, eof: args.eof },
    };
  },
});

const resizeSession = session.tool({
  name: "session-resize",
  title: "Resize session terminal",
  description: "Resize the terminal of a TTY session.",
  inputSchema: z.object({
    sessionId,
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
  }),
  toolset,
  hints: "idempotentWrite",
  usesSessions: true,
  async handler(args, ctx) {
    const s = ctx.sessions.get(args.sessionId);
    if (!s.driver.resize) throw new InputError("sessionId", `a ${s.kind} session has no terminal to resize`);
    await s.driver.resize(args.cols, args.rows);
    return { text: `resized session ${s.id} to ${args.cols}x${args.rows}`, structured: { ...args } };
  },
});

const signalSession = session.tool({
  name: "session-signal",
  title: "Signal session process",
  description: "Send a POSIX signal number to the session's process (2=SIGINT, 15=SIGTERM, 9=SIGKILL).",
  inputSchema: z.object({ sessionId, signal: z.number().int().min(1).max(64) }),
  toolset,
  hints: "destructive",
  usesSessions: true,
  confirm: (args) => `send signal ${args.signal} to the process of session ${args.sessionId}`,
  async handler(args, ctx) {
    const s = ctx.sessions.get(args.sessionId);
    if (!s.driver.signal)
      throw new InputError("sessionId", `a ${s.kind} session cannot be signalled; close it instead`);
    await s.driver.signal(args.signal);
    return {
      text: `sent signal ${args.signal} to session ${s.id}`,
      structured: { sessionId: s.id, signal: args.signal },
    };
  },
});

const closeSession = session.tool({
  name: "session-close",
  title: "Close session",
  description: "Close a session and its upstream connection (ends the process if still running).",
  inputSchema: z.object({ sessionId }),
  toolset,
  hints: "destructiveIdempotent",
  usesSessions: true,
  confirm: (args) => `close session ${args.sessionId}, ending its process if it still runs`,
  async handler(args, ctx) {
    const info = await ctx.sessions.close(args.sessionId);
    return { text: `closed session ${info.id} (${info.bytesOut} bytes of output)`, structured: { ...info } };
  },
});

const listSessions = session.tool({
  name: "session-list",
  title: "List sessions",
  description: "List this connection's open and exited sessions.",
  inputSchema: z.object({}),
  toolset,
  hints: LOCAL_READ,
  usesSessions: true,
  async handler(_args, ctx) {
    const sessions = ctx.sessions.list();
    const lines = sessions.map((s) => `${s.id} ${s.kind} ${s.state} ${s.label} (${s.bytesOut} bytes)`);
    return { text: lines.length ? lines.join("\n") : "no sessions", structured: { sessions } };
  },
});

/** The session tools, to append to a vendor's table. */
export function sessionTools<C>(): AnyTool<C>[] {
  // A copy per vendor: each vendor's table holds its own tool objects.
  return [readSession, writeSession, resizeSession, signalSession, closeSession, listSessions].map((t) => ({
    ...t,
  })) as AnyTool<C>[];
}
