import { isUtf8 } from "node:buffer";
/**
 * Output is bounded at the source: bytes past the cap are counted, never stored, so a 50 MiB
 * stream costs at most `maxBytes` of memory and the result can say exactly how much was dropped.
 */
export class BoundedOutput {
  readonly maxBytes: number;
  #chunks: Buffer[] = [];
  #stored = 0;
  #seen = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Returns false once the cap is reached (the caller may stop reading). */
  append(chunk: Buffer): boolean {
    this.#seen += chunk.length;
    const room = this.maxBytes - this.#stored;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.#chunks.push(Buffer.from(part));
      this.#stored += part.length;
    }
    return this.#seen <= this.maxBytes;
  }

  get storedBytes(): number {
    return this.#stored;
  }
  get totalBytes(): number {
    return this.#seen;
  }
  get truncated(): boolean {
    return this.#seen > this.#stored;
  }

  toBuffer(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  decode(): DecodedOutput {
    return decodeBytes(this.toBuffer(), this.truncated);
  }
}

export interface DecodedOutput {
  encoding: "utf8" | "base64";
  text: string;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 when the bytes are valid UTF-8 (a character cut by truncation is forgiven), else base64. */
export function decodeBytes(bytes: Buffer, maybeCut = false): DecodedOutput {
  const part = utf8Part(bytes, maybeCut);
  return part
    ? { encoding: "utf8", text: strictUtf8.decode(part) }
    : { encoding: "base64", text: bytes.toString("base64") };
}

/**
 * The bytes to show as UTF-8: all of them, or (`maybeCut`: the window may end inside a character)
 * all but that last split character; undefined when they are not UTF-8 (shown as base64).
 */
export function utf8Part(bytes: Buffer, maybeCut = false): Buffer | undefined {
  if (isUtf8(bytes)) return bytes;
  if (!maybeCut) return undefined;
  const cut = bytes.subarray(0, completeUtf8Prefix(bytes));
  return isUtf8(cut) ? cut : undefined;
}

/** Length of the longest prefix that does not end inside a multi-byte character. */
export function completeUtf8Prefix(bytes: Buffer): number {
  let i = bytes.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && ((bytes[i] ?? 0) & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return bytes.length;
  const lead = bytes[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? i : bytes.length;
}

/**
 * Bytes of stream-session output the whole process keeps, across every session of every MCP session:
 * without it the worst case is sessions × MCP sessions × the per-session buffer (64 × 32 × 4 MiB).
 * Every buffer may hold its first FLOOR bytes whatever the budget, so a session stays usable.
 */
export class StreamMemory {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }
  get available(): number {
    return Math.max(0, this.limit - this.#used);
  }
  /** Grants up to `bytes` (all of it within `floor`, which is never refused). */
  take(bytes: number, floor = 0): number {
    const granted = Math.max(0, Math.min(bytes, Math.max(this.available, floor)));
    this.#used += granted;
    return granted;
  }
  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/** What a buffer holds whatever the process-wide budget says. */
const FLOOR = 64 * 1024;

/**
 * A sliding window over an unbounded stream, addressed by absolute byte offsets: sessions keep the
 * last `capacity` bytes so an agent can read what a process printed, in pieces, even after it exited.
 * A circular buffer, so a write costs its own length whatever the capacity (a log session pushes
 * line-sized chunks into a 1 MiB window); the storage grows by doubling up to `capacity`, so an
 * idle or quiet session does not hold a whole window. With a StreamMemory, growth past FLOOR is
 * taken from it; when it has nothing left the window stays at the storage it has (older bytes
 * drop sooner) until other sessions give some back.
 */
export class RingBuffer {
  readonly capacity: number;
  readonly #memory: StreamMemory | undefined;
  #buf: Buffer = Buffer.alloc(0);
  #head = 0; // index in #buf of the byte at absolute offset #start
  #start = 0; // absolute offset of the oldest kept byte
  #len = 0;
  #released = false;

  constructor(capacity: number, memory?: StreamMemory) {
    this.capacity = capacity;
    this.#memory = memory;
  }

  get endOffset(): number {
    return this.#start + this.#len;
  }
  get startOffset(): number {
    return this.#start;
  }

  /** The bytes this buffer can keep now: its capacity, or less while the process budget is spent. */
  get window(): number {
    if (!this.#memory) return this.capacity;
    const reachable = this.#buf.length + Math.max(this.#memory.available, FLOOR - this.#buf.length);
    return Math.min(this.capacity, reachable);
  }

  /** Gives the storage back to the process budget; later writes are ignored (the session is gone). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#memory?.give(this.#buf.length);
    this.#buf = Buffer.alloc(0);
    this.#head = 0;
    this.#start = this.endOffset;
    this.#len = 0;
  }

  write(chunk: Buffer): void {
    if (chunk.length === 0 || this.#released) return;
    if (this.#len + chunk.length > this.#buf.length && this.#buf.length < this.capacity) this.#grow(chunk.length);
    const size = this.#buf.length;
    if (chunk.length >= size) {
      // Only the chunk's last `size` bytes can stay.
      this.#start = this.endOffset + chunk.length - size;
      chunk.copy(this.#buf, 0, chunk.length - size);
      this.#head = 0;
      this.#len = size;
      return;
    }
    const drop = Math.max(0, this.#len + chunk.length - size);
    this.#head = (this.#head + drop) % size;
    this.#start += drop;
    this.#len -= drop;
    const tail = (this.#head + this.#len) % size;
    const first = Math.min(chunk.length, size - tail);
    chunk.copy(this.#buf, tail, 0, first);
    if (first < chunk.length) chunk.copy(this.#buf, 0, first);
    this.#len += chunk.length;
  }

  /** Bytes from `offset` (absolute), at most `max`; reports bytes lost before the window. */
  read(offset: number, max: number): { data: Buffer; offset: number; nextOffset: number; missedBytes: number } {
    const from = Math.max(offset, this.#start);
    const missedBytes = Math.max(0, this.#start - offset);
    const rel = Math.min(from - this.#start, this.#len);
    const n = Math.max(0, Math.min(this.#len - rel, max));
    const size = this.#buf.length;
    const at = size ? (this.#head + rel) % size : 0;
    const data =
      at + n <= size
        ? this.#buf.subarray(at, at + n)
        : Buffer.concat([this.#buf.subarray(at), this.#buf.subarray(0, at + n - size)]);
    return { data, offset: from, nextOffset: from + data.length, missedBytes };
  }

  /**
   * Unwraps the kept bytes into a larger buffer (doubling, at most `capacity`, and what the process
   * budget grants); keeps the storage it has when nothing is granted.
   */
  #grow(incoming: number): void {
    let size = Math.max(this.#buf.length, 4096);
    while (size < this.#len + incoming) size *= 2;
    const wanted = Math.min(this.capacity, size) - this.#buf.length;
    const granted = this.#memory ? this.#memory.take(wanted, FLOOR - this.#buf.length) : wanted;
    if (granted <= 0) return;
    const next = Buffer.allocUnsafe(this.#buf.length + granted);
    const kept = this.read(this.#start, this.#len).data;
    kept.copy(next, 0);
    this.#buf = next;
    this.#head = 0;
  }
}
