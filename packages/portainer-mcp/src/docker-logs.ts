import { InputError } from "@infra-mcp/core";

/**
 * Docker's log stream of a container without a TTY is multiplexed: frames of an 8-byte header
 * [stream, 0, 0, 0, size (uint32 big endian)] and `size` payload bytes, stream 1 = stdout,
 * 2 = stderr (3 = an error from the engine itself). Over Portainer's HTTP proxy the bytes arrive
 * intact (unlike its websocket bridge), so frames are parsed strictly. A TTY container's log is
 * one raw stream.
 */
export type LogStream = "stdout" | "stderr" | "tty";

export interface LogPiece {
  stream: LogStream;
  data: Buffer;
  /** Set by LogDemuxer on the piece that completes a frame (one log message of the engine). */
  end?: true;
}

export class LogDemuxer {
  #header: Buffer = Buffer.alloc(0);
  #stream: LogStream = "stdout";
  #remaining = 0;

  /** Payload pieces in arrival order; a frame split across chunks comes out as several pieces. */
  push(chunk: Buffer): LogPiece[] {
    const out: LogPiece[] = [];
    let p = 0;
    while (p < chunk.length) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - p);
        this.#remaining -= take;
        const data = chunk.subarray(p, p + take);
        out.push(this.#remaining === 0 ? { stream: this.#stream, data, end: true } : { stream: this.#stream, data });
        p += take;
        continue;
      }
      const part = chunk.subarray(p, p + 8 - this.#header.length);
      this.#header = this.#header.length ? Buffer.concat([this.#header, part]) : part;
      p += part.length;
      if (this.#header.length < 8) break;
      const kind = this.#header[0];
      if (kind === undefined || kind > 3 || this.#header[1] || this.#header[2] || this.#header[3]) {
        throw new Error(`not a multiplexed Docker log stream (header ${this.#header.toString("hex")})`);
      }
      this.#stream = kind === 2 || kind === 3 ? "stderr" : "stdout";
      this.#remaining = this.#header.readUInt32BE(4);
      this.#header = Buffer.alloc(0);
    }
    return out;
  }

  /** True when the stream stopped inside a header or a payload. */
  get midFrame(): boolean {
    return this.#header.length > 0 || this.#remaining > 0;
  }
}

/**
 * Keeps the NEWEST `maxBytes` of a log (older bytes are counted and dropped), as ordered pieces
 * with consecutive pieces of one stream merged. Logs are read from the end: a cap that kept the
 * oldest lines would hide exactly the lines an operator is looking for.
 */
export class LogTail {
  readonly maxBytes: number;
  readonly pieces: LogPiece[] = [];
  #kept = 0;
  totalBytes = 0;
  readonly bytesByStream: Record<LogStream, number> = { stdout: 0, stderr: 0, tty: 0 };

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  add(piece: LogPiece): void {
    if (!piece.data.length) return;
    this.totalBytes += piece.data.length;
    this.bytesByStream[piece.stream] += piece.data.length;
    const last = this.pieces.at(-1);
    if (last && last.stream === piece.stream) last.data = Buffer.concat([last.data, piece.data]);
    else this.pieces.push({ stream: piece.stream, data: Buffer.from(piece.data) });
    this.#kept += piece.data.length;
    while (this.#kept > this.maxBytes) {
      const first = this.pieces[0]!;
      const excess = this.#kept - this.maxBytes;
      if (first.data.length <= excess) {
        this.pieces.shift();
        this.#kept -= first.data.length;
      } else {
        first.data = first.data.subarray(excess);
        this.#kept -= excess;
      }
    }
  }

  get keptBytes(): number {
    return this.#kept;
  }

  get droppedBytes(): number {
    return this.totalBytes - this.#kept;
  }

  /** After dropping, the first kept line is usually cut: start at the next whole line if there is one. */
  trimToWholeLine(): void {
    if (!this.droppedBytes) return;
    const first = this.pieces[0];
    if (!first) return;
    const nl = first.data.indexOf(0x0a);
    if (nl < 0 || nl === first.data.length - 1) {
      if (nl === first.data.length - 1 && this.pieces.length > 1) {
        this.pieces.shift();
        this.#kept -= first.data.length;
      }
      return;
    }
    first.data = first.data.subarray(nl + 1);
    this.#kept -= nl + 1;
  }

  lineCount(): number {
    let n = 0;
    for (const p of this.pieces) for (const b of p.data) if (b === 0x0a) n++;
    const last = this.pieces.at(-1)?.data;
    if (last?.length && last[last.length - 1] !== 0x0a) n++;
    return n;
  }
}

/**
 * Renders pieces as one text: stdout as is, every stderr line marked "[stderr] " so the two stay
 * apart while keeping their order. Stateful so a follow session marks lines split across chunks once.
 */
export class LogRenderer {
  #atLineStart = true;
  #lastStream: LogStream | undefined;

  /** render() as bytes; stdout and TTY pieces pass through without a copy. */
  renderBytes(piece: LogPiece): Buffer {
    if (piece.stream === "stderr") return Buffer.from(this.render(piece));
    this.#lastStream = piece.stream;
    if (piece.data.length) this.#atLineStart = piece.data[piece.data.length - 1] === 0x0a;
    return piece.data;
  }

  /** Stdout or TTY bytes passed on by the caller itself (ending in `lastByte`): only the line state moves. */
  passedThrough(stream: "stdout" | "tty", lastByte: number | undefined): void {
    this.#lastStream = stream;
    if (lastByte !== undefined) this.#atLineStart = lastByte === 0x0a;
  }

  render(piece: LogPiece): string {
    const text = piece.data.toString("utf8");
    if (piece.stream !== "stderr") {
      this.#lastStream = piece.stream;
      if (text) this.#atLineStart = text.endsWith("\n");
      return text;
    }
    let out = "";
    let start = this.#atLineStart || this.#lastStream !== "stderr";
    for (const line of text.split(/(?<=\n)/)) {
      out += start ? `[stderr] ${line}` : line;
      start = line.endsWith("\n");
    }
    this.#lastStream = "stderr";
    if (text) this.#atLineStart = text.endsWith("\n");
    return out;
  }
}

/** RFC 3339 time, Unix seconds, or a duration back from now ("90s", "15m", "2h", "1h30m", "3d"). */
export function dockerTime(field: string, value: string | number, now = Date.now()): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new InputError(field, "must be a non-negative Unix time");
    return secondsString(value * 1000);
  }
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return secondsString(Number(v) * 1000);
  const duration = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  if (duration && v !== "") {
    const [, d = "0", h = "0", m = "0", s = "0"] = duration;
    const ms = (((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
    return secondsString(now - ms);
  }
  const parsed = Date.parse(v);
  if (/^\d{4}-\d{2}-\d{2}/.test(v) && Number.isFinite(parsed)) {
    // Keep sub-millisecond digits the engine printed (timestamps:true) so until=<a shown time> is exact.
    const frac = /\.(\d+)/.exec(v)?.[1];
    const whole = Math.floor(parsed / 1000);
    return frac ? `${whole}.${frac.slice(0, 9).padEnd(9, "0")}` : `${whole}.000000000`;
  }
  throw new InputError(
    field,
    `"${value}" is not a time: give RFC 3339 (2024-05-01T12:00:00Z), Unix seconds, or a duration like 15m or 2h`,
  );
}

function secondsString(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const nanos = Math.round((ms - whole * 1000) * 1e6);
  return `${whole}.${String(nanos).padStart(9, "0")}`;
}

/** Bytes read from the engine before giving up on reaching the end of a huge log (memory stays at maxBytes). */
export const LOG_READ_CAP = 64 * 1024 * 1024;

export type LogStop = "read-cap" | "timeout" | undefined;

/**
 * Reads a (finite) log body into `tail`, demultiplexed when `demux` is given, until it ends, the
 * read cap or the deadline; returns why it stopped early, if it did (the body is cancelled then).
 */
export async function readLogBody(
  body: ReadableStream<Uint8Array>,
  tail: LogTail,
  demux: LogDemuxer | undefined,
  timeoutMs: number,
  readCap = LOG_READ_CAP,
): Promise<LogStop> {
  const deadline = Date.now() + timeoutMs;
  const reader = body.getReader();
  let stopped: LogStop;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([
        reader.read(),
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
        }),
      ]).finally(() => clearTimeout(timer));
      if (next === "timeout") {
        stopped = "timeout";
        break;
      }
      if (next.done) break;
      const buf = Buffer.from(next.value);
      for (const piece of demux ? demux.push(buf) : [{ stream: "tty" as const, data: buf }]) tail.add(piece);
      if (tail.totalBytes >= readCap) {
        stopped = "read-cap";
        break;
      }
    }
  } finally {
    if (stopped) void reader.cancel().catch(() => {});
  }
  tail.trimToWholeLine();
  return stopped;
}

/** The bracketed note saying what was left out and which argument brings it back, or "". */
export function logNote(
  tail: LogTail,
  stopped: LogStop,
  timeoutMs: number,
  names: { tail: string; until?: string; timestamps: string },
  tailValue: number | "all" | undefined,
): string {
  if (stopped) {
    return (
      `[stopped reading after ${tail.totalBytes} bytes (${stopped === "timeout" ? `${timeoutMs} ms` : "read limit"}): ` +
      `the newest lines were not reached; narrow with ${names.tail}${names.until ? ` or ${names.until}` : ""}]`
    );
  }
  if (tail.droppedBytes) {
    return (
      `[older output cut: kept the newest ${tail.keptBytes} of ${tail.totalBytes} bytes; for earlier lines ` +
      (names.until
        ? `pass ${names.until}=<time of the first line shown> (${names.timestamps}:true shows times), or raise maxBytes]`
        : `raise maxBytes, or lower ${names.tail}]`)
    );
  }
  if (typeof tailValue === "number" && tailValue > 0 && tail.lineCount() >= tailValue) {
    return `[last ${tailValue} lines (${names.tail}); earlier lines may exist: raise ${names.tail}]`;
  }
  return "";
}
