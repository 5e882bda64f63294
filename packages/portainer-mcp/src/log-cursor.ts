import type { PortainerClient } from "./config.js";
import { containerPath } from "./containers.js";
import { type LogEntry, LogEntrySplitter, timestampKey, timestampLength } from "./log-entries.js";

/**
 * Where a followed log is: the cursor the next poll goes on from, the filter that shows an entry
 * two polls both return once, and where the log ends now (a follow with tail 0 starts there).
 */

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

/** "1714564800.5" → the fixed-width form of timestampKey. */
export function secondsKey(seconds: string): string {
  const [whole = "0", frac = ""] = seconds.split(".");
  return `${whole.padStart(12, "0")}.${frac.padEnd(9, "0").slice(0, 9)}`;
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
