import type { StreamSession } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";
import { containerPath, inspectContainerDocument, stateOf } from "./containers.js";
import { LogDemuxer, type LogPiece, LogRenderer } from "./docker-logs.js";

/**
 * Following a log through Portainer by polling, not by Docker's `follow=1`: Portainer's proxy to a
 * local Docker socket copies the engine's answer with io.Copy and never flushes, so a follow
 * stream reaches the client in ~4 KiB bursts (headers included) — a quiet container's new lines
 * would wait minutes. Each poll is a finished request, so it arrives whole: it asks for the lines
 * since the newest timestamp seen and skips the lines at that timestamp already shown.
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
  pollMs: number;
}

interface Line {
  stream: LogPiece["stream"];
  /** Sortable seconds.nanoseconds of the line's timestamp. */
  key: string;
  text: string;
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

/** Splits pieces into timestamped lines (a message the engine wrote without a newline is one line too). */
export function timestampedLines(pieces: LogPiece[]): Line[] {
  const lines: Line[] = [];
  let last = "";
  for (const piece of pieces) {
    for (const text of piece.data.toString("utf8").split(/(?<=\n)/)) {
      if (!text) continue;
      const m = TIMESTAMP.exec(text);
      const key = m ? (timestampKey(text.slice(0, m[0].length - 1)) ?? last) : last;
      last = key;
      lines.push({ stream: piece.stream, key, text });
    }
  }
  return lines;
}

/** "1714564800.5" → the fixed-width form of timestampKey. */
export function secondsKey(seconds: string): string {
  const [whole = "0", frac = ""] = seconds.split(".");
  return `${whole.padStart(12, "0")}.${frac.padEnd(9, "0").slice(0, 9)}`;
}

function stripTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  return m ? text.slice(m[0].length) : text;
}

async function fetchPieces(
  options: FollowOptions,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<{ pieces: LogPiece[]; date: string | null }> {
  const res = await options.client.http.stream({
    method: "GET",
    path: containerPath(options.endpointId, options.containerId, "logs"),
    query: {
      stdout: options.stdout ? "1" : "0",
      stderr: options.stderr ? "1" : "0",
      timestamps: "1",
      ...query,
    },
    signal,
  });
  const demux = options.tty ? undefined : new LogDemuxer();
  const pieces: LogPiece[] = [];
  for await (const chunk of res.body) {
    const buf = Buffer.from(chunk);
    pieces.push(...(demux ? demux.push(buf) : [{ stream: "tty" as const, data: buf }]));
  }
  return { pieces, date: res.headers.get("date") };
}

/** Starts polling into `session` until `signal` aborts, the container stops, or it disappears. */
export function followLogs(session: StreamSession, options: FollowOptions, signal: AbortSignal): void {
  const renderer = new LogRenderer();
  let cursor: string | undefined = options.since === undefined ? undefined : secondsKey(options.since);
  let seenAtCursor = 0;
  const show = (lines: Line[]) => {
    for (const line of lines) {
      const text = options.timestamps ? line.text : stripTimestamp(line.text);
      session.push(Buffer.from(renderer.render({ stream: line.stream, data: Buffer.from(text) })));
    }
  };
  const poll = async (first: boolean): Promise<boolean> => {
    // State first: a container seen stopped has flushed its last lines into the log read next.
    const state = first
      ? undefined
      : stateOf(await inspectContainerDocument(options.client, options.endpointId, options.containerId, signal));
    const query: Record<string, string | undefined> = first
      ? { tail: String(options.tail), since: cursor }
      : { tail: "all", since: cursor };
    const { pieces, date } = await fetchPieces(options, query, signal);
    const lines = timestampedLines(pieces);
    let atCursor = 0;
    const fresh = lines.filter((line) => {
      if (cursor === undefined || line.key > cursor) return true;
      if (line.key < cursor) return false;
      // Lines at the cursor's timestamp come first in the answer: skip the ones already shown.
      atCursor++;
      return atCursor > seenAtCursor;
    });
    show(fresh);
    const newest = lines.at(-1)?.key;
    if (newest !== undefined) {
      seenAtCursor = lines.filter((l) => l.key === newest).length;
      cursor = newest;
    } else if (cursor === undefined && date) {
      // Nothing logged yet: start from the engine's clock (its Date header), a second early.
      cursor = timestampKey(new Date(Date.parse(date) - 1000).toISOString().replace(/\.\d+Z$/, "Z"));
      seenAtCursor = 0;
    }
    if (state && !state.running) {
      session.markExited(state.exitCode);
      return false;
    }
    return true;
  };
  const loop = async () => {
    let first = true;
    for (;;) {
      try {
        if (!(await poll(first))) return;
      } catch (error) {
        if (signal.aborted) return session.markExited(null);
        session.push(Buffer.from(`\n[following stopped: ${(error as Error).message}]\n`));
        return session.markExited(null);
      }
      first = false;
      if (signal.aborted) return session.markExited(null);
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
