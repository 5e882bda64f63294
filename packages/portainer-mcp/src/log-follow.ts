import type { StreamSession } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";
import { containerPath, inspectContainerDocument, stateOf } from "./containers.js";
import { LogDemuxer, type LogPiece, LogRenderer } from "./docker-logs.js";

/**
 * Following a log through Portainer by polling, not by Docker's `follow=1`: Portainer's proxy to a
 * local Docker socket copies the engine's answer with io.Copy and never flushes, so a follow
 * stream reaches the client in ~4 KiB bursts (headers included) — a quiet container's new lines
 * would wait minutes. Each poll is a finished request, so it arrives whole: it asks for the lines
 * since the newest timestamp seen and skips the lines at that timestamp already shown. An answer
 * is streamed into the session as it arrives and waits for the session's reader (see pollInto).
 */
export interface FollowOptions {
  client: PortainerClient;
  endpointId: number;
  containerId: string;
  tty: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Show the engine's timestamps (they are always requested, to know where the last poll ended). */
  timestamps: boolean;
  tail: number | "all";
  /** Docker `since` for the first poll, already in the engine's seconds.nanoseconds form. */
  since?: string | undefined;
  /** Show only what comes after this (endOfLog's answer): no first read of `tail` lines. */
  from?: FollowCursor;
  pollMs: number;
  /** How long an answer waits for an away reader before it is let go (default READER_PAUSE_MS). */
  readerPauseMs?: number;
}

/** One log message as the engine sent it: "<RFC 3339 time> <text>", the text's newline included if it had one. */
export interface LogEntry {
  stream: LogPiece["stream"];
  data: Buffer;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) /;

/** "2024-05-01T12:00:00.5Z" → "1714564800.500000000": fixed width, so string order is time order. */
export function timestampKey(ts: string): string | undefined {
  const m = TIMESTAMP.exec(`${ts} `);
  if (!m) return undefined;
  const secs = Date.parse(`${m[1]}${m[3]}`) / 1000;
  if (!Number.isFinite(secs)) return undefined;
  return `${String(secs).padStart(12, "0")}.${(m[2] ?? "").padEnd(9, "0")}`;
}

/**
 * Cuts a log answer, chunk by chunk, into entries: a multiplexed stream's frames (one message
 * each, even when the engine split a long line into partial messages without newlines), a TTY
 * stream's lines. An entry split across chunks is joined; one whole in a chunk is not copied.
 */
export class LogEntrySplitter {
  readonly #demux: LogDemuxer | undefined;
  #parts: Buffer[] = [];

  constructor(tty: boolean) {
    this.#demux = tty ? undefined : new LogDemuxer();
  }

  push(chunk: Buffer, onEntry: (entry: LogEntry) => void): void {
    if (this.#demux) {
      for (const piece of this.#demux.push(chunk)) {
        if (!piece.end) {
          this.#parts.push(piece.data);
          continue;
        }
        const data = this.#parts.length ? Buffer.concat([...this.#parts, piece.data]) : piece.data;
        this.#parts = [];
        onEntry({ stream: piece.stream, data });
      }
      return;
    }
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      const line = chunk.subarray(from, nl + 1);
      from = nl + 1;
      const data = this.#parts.length ? Buffer.concat([...this.#parts, line]) : line;
      this.#parts = [];
      onEntry({ stream: "tty", data });
    }
    if (from < chunk.length) this.#parts.push(chunk.subarray(from));
  }

  /** At the end of an answer: a TTY line the engine wrote without a newline is an entry too. */
  end(onEntry: (entry: LogEntry) => void): void {
    if (!this.#demux && this.#parts.length) onEntry({ stream: "tty", data: Buffer.concat(this.#parts) });
    this.#parts = [];
  }
}

const NO_BYTES = Buffer.alloc(0);

/**
 * The rendered output of whole entries, chunk by chunk, for a read that shows every entry as it
 * is (a bulk read from its start): what LogEntrySplitter and LogRenderer make of it, with
 * stdout's payloads copied straight into one buffer per chunk instead of an object and a view per
 * entry (a megabyte of 128-byte lines is eight thousand entries). An unfinished entry waits for
 * the chunk that completes it, so what was handed on is always whole entries, `entries` of them.
 * The buffer push() returns is the copier's own, reused by the next push (the caller copies it
 * into the session first): a chunk costs no allocation but its own.
 */
export class EntryCopier {
  readonly #tty: boolean;
  readonly #renderer: LogRenderer;
  /** The raw bytes (frame header included) of an entry not finished by the last chunk. */
  #pending: Buffer = NO_BYTES;
  /** Where an unfinished entry and the next chunk are joined, and where payloads are copied to. */
  #joined: Buffer = NO_BYTES;
  #out: Buffer = NO_BYTES;
  entries = 0;

  constructor(tty: boolean, renderer: LogRenderer) {
    this.#tty = tty;
    this.#renderer = renderer;
  }

  push(chunk: Buffer): Buffer {
    let data = chunk;
    if (this.#pending.length) {
      const size = this.#pending.length + chunk.length;
      if (this.#joined.length < size) this.#joined = Buffer.allocUnsafe(size);
      this.#pending.copy(this.#joined, 0);
      chunk.copy(this.#joined, this.#pending.length);
      data = this.#joined.subarray(0, size);
    }
    return this.#tty ? this.#lines(data) : this.#frames(data);
  }

  /** At the end of an answer: a TTY line without a newline is an entry too (a frame cannot be cut here). */
  end(): Buffer {
    const rest = this.#pending;
    this.#pending = NO_BYTES;
    if (!this.#tty || !rest.length) return NO_BYTES;
    this.entries++;
    this.#renderer.passedThrough("tty", rest[rest.length - 1]);
    return rest;
  }

  #lines(data: Buffer): Buffer {
    const last = data.lastIndexOf(0x0a);
    this.#pending = last + 1 < data.length ? Buffer.from(data.subarray(last + 1)) : NO_BYTES;
    if (last < 0) return NO_BYTES;
    for (let nl = data.indexOf(0x0a); nl >= 0 && nl <= last; nl = data.indexOf(0x0a, nl + 1)) this.entries++;
    this.#renderer.passedThrough("tty", 0x0a);
    return data.subarray(0, last + 1);
  }

  #frames(data: Buffer): Buffer {
    // Payloads are never longer than their frames; only stderr's markers can outgrow the chunk.
    if (this.#out.length < data.length) this.#out = Buffer.allocUnsafe(data.length);
    let out = this.#out;
    let o = 0;
    let p = 0;
    while (p + 8 <= data.length) {
      const kind = data[p] as number;
      if (kind > 3 || data[p + 1] || data[p + 2] || data[p + 3]) {
        throw new Error(`not a multiplexed Docker log stream (header ${data.toString("hex", p, p + 8)})`);
      }
      const start = p + 8;
      const end = start + data.readUInt32BE(p + 4);
      if (end > data.length) break;
      p = end;
      // An empty frame is no entry (the splitter never sees one).
      if (end === start) continue;
      if (kind === 2 || kind === 3) {
        const marked = this.#renderer.renderBytes({ stream: "stderr", data: data.subarray(start, end) });
        if (o + marked.length > out.length) {
          const grown = Buffer.allocUnsafe(Math.max(out.length * 2, o + marked.length));
          out.copy(grown, 0, 0, o);
          out = grown;
          this.#out = grown;
        }
        o += marked.copy(out, o);
      } else {
        o += data.copy(out, o, start, end);
        this.#renderer.passedThrough("stdout", data[end - 1]);
      }
      this.entries++;
    }
    this.#pending = p < data.length ? Buffer.from(data.subarray(p)) : NO_BYTES;
    return out.subarray(0, o);
  }
}

/** Length of the entry's leading timestamp (up to its space), or 0 when it has none. */
function timestampLength(data: Buffer): number {
  // RFC 3339 with up to 9 fraction digits and an offset: 20 to 35 characters.
  if (data.length < 21 || data[4] !== 0x2d || data[10] !== 0x54) return 0;
  const sp = data.indexOf(0x20, 19);
  return sp > 0 && sp <= 35 ? sp : 0;
}

/** Where the previous polls stopped: the newest timestamp shown and how many entries at it were shown. */
export interface FollowCursor {
  key: string | undefined;
  seen: number;
}

/**
 * Decides, entry by entry through one answer to `since=<cursor>`, what is new: entries before the
 * cursor's time, and the first `seen` entries at it, were shown by an earlier poll. Tracks the
 * cursor to resume from after any entry, so a poll can stop anywhere and the next one go on.
 */
export class FollowFilter {
  readonly #start: FollowCursor;
  #passed: boolean;
  #atStart = 0;
  #lastRaw: string | undefined;
  #atLast = 0;

  constructor(cursor: FollowCursor) {
    this.#start = cursor;
    this.#passed = cursor.key === undefined;
  }

  /** Returns the entry's text after its timestamp (its offset in data), or -1 if it was shown before. */
  accept(data: Buffer): number {
    const tsLength = timestampLength(data);
    // Docker prints a time one way only, so equal text is an equal time (no parse per entry).
    const raw = tsLength ? data.toString("latin1", 0, tsLength) : this.#lastRaw;
    if (raw !== undefined && raw === this.#lastRaw) this.#atLast++;
    else {
      this.#lastRaw = raw;
      this.#atLast = 1;
    }
    const textAt = tsLength ? tsLength + 1 : 0;
    if (this.#passed) return textAt;
    const key = raw === undefined ? undefined : timestampKey(raw);
    if (key === undefined || this.#start.key === undefined || key > this.#start.key) {
      this.#passed = true;
      return textAt;
    }
    if (key < this.#start.key) return -1;
    // Entries at the cursor's time come first in the answer: skip the ones already shown.
    this.#atStart++;
    if (this.#atStart <= this.#start.seen) return -1;
    return textAt;
  }

  /** The cursor after the entries accepted so far (the starting one if none had a time). */
  get cursor(): FollowCursor {
    const key = this.#lastRaw === undefined ? undefined : timestampKey(this.#lastRaw);
    return key === undefined ? this.#start : { key, seen: this.#atLast };
  }
}

/**
 * Where the log ends now, as a cursor: a follow with tail 0 shows only what comes after it. The
 * engine's own time of its newest entry, not its clock (a Date header has whole seconds, so a
 * cursor from it let up to two seconds of older lines through). Both streams are asked for
 * whatever the follow shows: the engine takes the tail from the file before it filters by stream,
 * so a stdout-only tail of 1 is empty when the newest entry is stderr. Every entry at the newest
 * time counts as shown; one logged after this answer has a later time. Called before the tool
 * returns, so a line written after the call is after the cursor.
 */
export async function endOfLog(
  client: PortainerClient,
  endpointId: number,
  containerId: string,
  tty: boolean,
  since: string | undefined,
  signal: AbortSignal,
): Promise<FollowCursor> {
  const res = await client.http.stream({
    method: "GET",
    path: containerPath(endpointId, containerId, "logs"),
    query: { stdout: "1", stderr: "1", timestamps: "1", tail: "1", since },
    signal,
  });
  const splitter = new LogEntrySplitter(tty);
  let newest: string | undefined;
  const onEntry = (entry: LogEntry) => {
    const length = timestampLength(entry.data);
    const key = length ? timestampKey(entry.data.toString("latin1", 0, length)) : undefined;
    if (key !== undefined && (newest === undefined || key > newest)) newest = key;
  };
  const reader = res.body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      splitter.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength), onEntry);
    }
    splitter.end(onEntry);
  } finally {
    void reader.cancel().catch(() => {});
  }
  if (newest !== undefined) return { key: newest, seen: Number.MAX_SAFE_INTEGER };
  // An empty log (since `since`): everything logged from now on is new.
  return { key: since === undefined ? undefined : secondsKey(since), seen: 0 };
}

/** "1714564800.5" → the fixed-width form of timestampKey. */
export function secondsKey(seconds: string): string {
  const [whole = "0", frac = ""] = seconds.split(".");
  return `${whole.padStart(12, "0")}.${frac.padEnd(9, "0").slice(0, 9)}`;
}

/**
 * The first read of a follow session without timestamps: the log up to `until` (a time safely in
 * the engine's past), as the engine stores it. Asking for the engine's timestamps costs it a
 * formatted time per line and the answer a quarter more bytes; a backlog of megabytes is read
 * without them, and the polls go on from `until` with them. A bulk read let go while the reader
 * was away is asked for again and its first `skip` entries (those already shown) passed over.
 */
interface BulkRead {
  until: string;
  skip: number;
}

/**
 * How far before the engine's clock a bulk read ends: an entry's time is taken as its line is
 * read from the container and stored right after, so every entry older than this is in the log
 * when the read starts (the polls with timestamps take over from there). The clock is the Date
 * header of an answer proxied from the engine (whole seconds, so the margin is 1–2 s).
 */
const BULK_MARGIN_SECONDS = 1;

/** How long a poll keeps its answer open while the reader is behind before letting it go. */
const READER_PAUSE_MS = 30_000;

/**
 * One poll's answer streamed into the session, entry by entry, waiting for the reader whenever
 * the buffer holds as much unread output as it can keep: a followed log is read whole and in
 * order, like a direct read of the stream, and memory stays at the buffer size whatever the
 * volume. Resolves with the cursor to go on from and whether the answer was cut short (the
 * reader stayed away for READER_PAUSE_MS: the rest is asked for again from the cursor).
 */
async function pollInto(
  session: StreamSession,
  options: FollowOptions,
  renderer: LogRenderer,
  cursor: FollowCursor,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
  bulk?: BulkRead,
): Promise<{ cursor: FollowCursor; date: string | null; cut: boolean; entries: number }> {
  const res = await options.client.http.stream({
    method: "GET",
    path: containerPath(options.endpointId, options.containerId, "logs"),
    query: {
      stdout: options.stdout ? "1" : "0",
      stderr: options.stderr ? "1" : "0",
      timestamps: bulk ? "0" : "1",
      ...query,
    },
    signal,
  });
  const pauseMs = options.readerPauseMs ?? READER_PAUSE_MS;
  const splitter = new LogEntrySplitter(options.tty);
  // A bulk read from its start shows every entry as it is: copied, not cut into entries.
  const copier = bulk?.skip === 0 ? new EntryCopier(options.tty, renderer) : undefined;
  const copied = (out: Buffer) => {
    if (out.length) {
      batch.push(out);
      batchBytes += out.length;
    }
    entries = copier?.entries ?? entries;
  };
  const filter = new FollowFilter(cursor);
  let batch: Buffer[] = [];
  let batchBytes = 0;
  // Entries of this answer so far (a bulk read resumes by count: it has no times to go by).
  let entries = 0;
  const onEntry = (entry: LogEntry) => {
    entries++;
    let data: Buffer;
    if (bulk) {
      if (entries <= bulk.skip) return;
      data = entry.data;
    } else {
      const at = filter.accept(entry.data);
      if (at < 0) return;
      data = options.timestamps ? entry.data : entry.data.subarray(at);
    }
    const out = renderer.renderBytes({ stream: entry.stream, data });
    batch.push(out);
    batchBytes += out.length;
  };
  // Where to resume if the answer is let go: the cursor (and the entry count) as of the last
  // entry handed to the session.
  let shown = cursor;
  let shownEntries = 0;
  const flush = async (): Promise<boolean> => {
    const bytes = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, batchBytes);
    batch = [];
    batchBytes = 0;
    // A chunk larger than the buffer goes in buffer-sized slices. If the reader goes away in the
    // middle of one, the rest is pushed anyway (its oldest bytes drop, as a live stream's would)
    // so the next poll need not resume inside it.
    const slice = session.output.window;
    for (let at = 0; at < bytes.length; at += slice) {
      const part = bytes.subarray(at, at + slice);
      if (!(await session.waitForRoom(part.length, pauseMs, signal)) && at === 0) return false;
      session.push(part);
    }
    shown = filter.cursor;
    shownEntries = entries;
    return true;
  };
  const reader = res.body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      if (copier) copied(copier.push(chunk));
      else splitter.push(chunk, onEntry);
      if (!(await flush())) return { cursor: shown, date: res.headers.get("date"), cut: true, entries: shownEntries };
    }
    if (copier) copied(copier.end());
    else splitter.end(onEntry);
    await flush();
    return { cursor: filter.cursor, date: res.headers.get("date"), cut: false, entries };
  } finally {
    void reader.cancel().catch(() => {});
  }
}

/** Starts polling into `session` until `signal` aborts, the container stops, or it disappears. */
export function followLogs(session: StreamSession, options: FollowOptions, signal: AbortSignal): void {
  const renderer = new LogRenderer();
  let cursor: FollowCursor = options.from ?? {
    key: options.since === undefined ? undefined : secondsKey(options.since),
    seen: 0,
  };
  let bulk: BulkRead | undefined;
  /**
   * A whole log (tail "all") shown without timestamps is read in bulk up to a second or two ago
   * (see BulkRead), unless `since` starts later than that.
   */
  const startBulk = async (): Promise<boolean> => {
    if (options.timestamps || options.tail !== "all") return false;
    const res = await options.client.http.request({
      method: "GET",
      path: containerPath(options.endpointId, options.containerId, "json"),
      signal,
    });
    const now = Date.parse(res.headers.get("date") ?? "");
    if (!Number.isFinite(now)) return false;
    const until = secondsKey(String(Math.floor(now / 1000) - BULK_MARGIN_SECONDS));
    if (cursor.key !== undefined && cursor.key >= until) return false;
    bulk = { until, skip: 0 };
    return true;
  };
  /** Returns whether to go on, and whether right away (an answer was cut short while the reader was away). */
  const poll = async (first: boolean): Promise<{ more: boolean; now: boolean }> => {
    // Polling waits for the reader too, so an unread session asks the engine for nothing.
    const room = Math.min(64 * 1024, Math.ceil(session.output.window / 2));
    const pauseMs = options.readerPauseMs ?? READER_PAUSE_MS;
    while (!signal.aborted && !(await session.waitForRoom(room, pauseMs, signal))) {}
    if (bulk || (first && (await startBulk()))) {
      const b = bulk as BulkRead;
      const query = { tail: "all", since: cursor.key, until: b.until };
      const r = await pollInto(session, options, renderer, cursor, query, signal, b);
      if (r.cut) {
        bulk = { until: b.until, skip: r.entries };
        return { more: true, now: true };
      }
      // Entries at `until` itself came with the bulk read (the engine's until includes it).
      cursor = { key: b.until, seen: Number.MAX_SAFE_INTEGER };
      bulk = undefined;
      return { more: true, now: true };
    }
    // State first: a container seen stopped has flushed its last lines into the log read next.
    const state = first
      ? undefined
      : stateOf(await inspectContainerDocument(options.client, options.endpointId, options.containerId, signal));
    // The engine reads the fixed-width key as seconds.nanoseconds (leading zeros and all).
    const query: Record<string, string | undefined> = first
      ? { tail: String(options.tail), since: cursor.key }
      : { tail: "all", since: cursor.key };
    const r = await pollInto(session, options, renderer, cursor, query, signal);
    // A cut answer goes on after the last entry it showed (not from where it started: that
    // would show its entries again).
    if (r.cut) {
      if (r.cursor.key !== undefined) cursor = r.cursor;
      return { more: true, now: true };
    }
    if (r.cursor.key !== undefined) cursor = r.cursor;
    else if (r.date) {
      // Nothing logged yet: start from the engine's clock (its Date header), a second early.
      cursor = {
        key: timestampKey(new Date(Date.parse(r.date) - 1000).toISOString().replace(/\.\d+Z$/, "Z")),
        seen: 0,
      };
    }
    if (state && !state.running) {
      session.markExited(state.exitCode);
      return { more: false, now: false };
    }
    return { more: true, now: false };
  };
  const loop = async () => {
    let first = options.from === undefined;
    for (;;) {
      let next: { more: boolean; now: boolean };
      try {
        next = await poll(first);
      } catch (error) {
        if (signal.aborted) return session.markExited(null);
        session.push(Buffer.from(`\n[following stopped: ${(error as Error).message}]\n`));
        return session.markExited(null);
      }
      if (!next.more) return;
      // A cut answer goes on from its cursor: the first poll's tail is behind us either way.
      first = false;
      if (signal.aborted) return session.markExited(null);
      if (next.now) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollMs);
        signal.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      if (signal.aborted) return session.markExited(null);
    }
  };
  void loop();
}
