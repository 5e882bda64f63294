import type { StreamSession } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";
import { containerPath, inspectContainerDocument, stateOf } from "./containers.js";
import { LogRenderer } from "./docker-logs.js";
import { type FollowCursor, FollowFilter, secondsKey } from "./log-cursor.js";
import { EntryCopier, type LogEntry, LogEntrySplitter, timestampKey } from "./log-entries.js";

export { type FollowCursor, FollowFilter, secondsKey } from "./log-cursor.js";
export { EntryCopier, type LogEntry, LogEntrySplitter, timestampKey } from "./log-entries.js";

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
