import { LogDemuxer, type LogPiece, type LogRenderer } from "./docker-logs.js";

/**
 * The entries of a followed log: one message each as the engine sent it, split from the
 * demultiplexed stream, copied to the session without the timestamps the polls ask for, and
 * filtered so that an entry two polls both return is shown once.
 */

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
export function timestampLength(data: Buffer): number {
  // RFC 3339 with up to 9 fraction digits and an offset: 20 to 35 characters.
  if (data.length < 21 || data[4] !== 0x2d || data[10] !== 0x54) return 0;
  const sp = data.indexOf(0x20, 19);
  return sp > 0 && sp <= 35 ? sp : 0;
}
