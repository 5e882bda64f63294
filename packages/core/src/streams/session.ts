import { randomUUID } from "node:crypto";
import { RingBuffer, type StreamMemory, utf8Part } from "./output.js";

/**
 * One stream session: a vendor's upstream (exec, attach, a log or event stream) pushing output
 * into a bounded buffer that session-read reads by offset, and the driver that writes to it.
 */

/** What a vendor supplies to back a session: how to write, resize, signal and close it. */
export interface SessionDriver {
  write(data: Buffer): Promise<void>;
  /** Closes stdin (end-of-file) without ending the session, where the upstream supports it. */
  closeStdin?(): Promise<void>;
  resize?(cols: number, rows: number): Promise<void>;
  signal?(signal: number): Promise<void>;
  close(): Promise<void>;
}

export interface SessionInfo {
  id: string;
  kind: string;
  label: string;
  state: "open" | "exited";
  exitCode?: number | null;
  bytesOut: number;
  createdAt: string;
  lastActivityAt: string;
}

export class StreamSession {
  readonly id = randomUUID();
  readonly kind: string;
  readonly label: string;
  readonly output: RingBuffer;
  readonly createdAt = new Date();
  lastActivity = Date.now();
  state: "open" | "exited" = "open";
  exitCode: number | null | undefined;
  readonly #driver: SessionDriver;
  readonly #waiters = new Set<() => void>();
  readonly #readerWaiters = new Set<() => void>();
  /** The furthest offset a read has returned up to: what the reader has taken. */
  #consumed = 0;
  #paced = false;

  constructor(kind: string, label: string, driver: SessionDriver, bufferBytes: number, memory?: StreamMemory) {
    this.kind = kind;
    this.label = label;
    this.#driver = driver;
    this.output = new RingBuffer(bufferBytes, memory);
  }

  get driver(): SessionDriver {
    return this.#driver;
  }

  /** Vendors push upstream output here. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.output.write(chunk);
    this.#wake();
  }

  /** Vendors call this when the process ended (code if known). Output stays readable. */
  markExited(exitCode?: number | null): void {
    if (this.state === "exited") return;
    this.state = "exited";
    this.exitCode = exitCode;
    this.#wake();
    for (const w of [...this.#readerWaiters]) w();
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Output the reader has not taken yet (bytes already dropped from the buffer do not count). */
  get unreadBytes(): number {
    return this.output.endOffset - Math.max(this.#consumed, this.output.startOffset);
  }

  /**
   * For producers that can pause their upstream (a log read, unlike a live process): resolves
   * true once `bytes` more fit in the buffer without dropping unread output, false if the reader
   * has not made room within `ms` (or `signal` aborted). Nothing waits when `bytes` exceeds the
   * buffer or the session has exited.
   */
  waitForRoom(bytes: number, ms: number, signal?: AbortSignal): Promise<boolean> {
    this.#paced = true;
    const fits = () =>
      this.unreadBytes + bytes <= this.output.window || bytes > this.output.window || this.state === "exited";
    if (fits()) return Promise.resolve(true);
    if (ms <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.#readerWaiters.delete(check);
        signal?.removeEventListener("abort", abort);
        resolve(ok);
      };
      const check = () => {
        if (fits()) done(true);
      };
      const abort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.#readerWaiters.add(check);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  /**
   * Whether the producer waits for the reader (it has called waitForRoom): then a full buffer
   * loses nothing, while a live stream's full buffer drops its oldest bytes at the next push.
   */
  get paced(): boolean {
    return this.#paced;
  }

  /** Resolves when new output arrives, the session exits, or `ms` passes. */
  waitForOutput(afterOffset: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.output.endOffset > afterOffset || this.state === "exited" || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * After output arrived: keeps gathering while it keeps coming, so that a flowing stream is read
   * in reads of `maxBytes` rather than in whatever slice the last upstream chunk made. Resolves
   * once `maxBytes` past `afterOffset` are buffered, the session exits, no output came for
   * `quietMs`, `ms` passed, or `signal` aborted. Output that comes in one burst (a shell's answer)
   * costs one quiet gap; a stream that keeps flowing, at most `ms`.
   */
  gatherOutput(
    afterOffset: number,
    maxBytes: number,
    quietMs: number,
    ms: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const enough = () => this.output.endOffset - Math.max(afterOffset, this.output.startOffset) >= maxBytes;
    if (enough() || this.state === "exited" || ms <= 0 || quietMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let quiet: NodeJS.Timeout;
      const done = () => {
        clearTimeout(quiet);
        clearTimeout(limit);
        this.#waiters.delete(onOutput);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const onOutput = () => {
        if (enough() || this.state === "exited") return done();
        clearTimeout(quiet);
        quiet = setTimeout(done, quietMs);
      };
      quiet = setTimeout(done, quietMs);
      const limit = setTimeout(done, ms);
      this.#waiters.add(onOutput);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  info(): SessionInfo {
    return {
      id: this.id,
      kind: this.kind,
      label: this.label,
      state: this.state,
      ...(this.exitCode !== undefined ? { exitCode: this.exitCode } : {}),
      bytesOut: this.output.endOffset,
      createdAt: this.createdAt.toISOString(),
      lastActivityAt: new Date(this.lastActivity).toISOString(),
    };
  }

  /**
   * Output from `offset` (at most `maxBytes`) as bytes, for callers that build their text around
   * it: UTF-8 (cut before a character the read would split) or, when the bytes are not, base64
   * for the caller to encode. Counts as read, like read().
   */
  readBytes(offset: number, maxBytes: number) {
    this.touch();
    const r = this.output.read(offset, maxBytes);
    const part = utf8Part(r.data, true);
    const utf8 = part !== undefined;
    const data = part ?? r.data;
    const nextOffset = r.offset + data.length;
    if (nextOffset > this.#consumed) {
      this.#consumed = nextOffset;
      for (const w of [...this.#readerWaiters]) w();
    }
    return {
      data,
      encoding: utf8 ? ("utf8" as const) : ("base64" as const),
      offset: r.offset,
      nextOffset,
      missedBytes: r.missedBytes,
      state: this.state,
      ...(this.exitCode !== undefined ? { exitCode: this.exitCode } : {}),
    };
  }

  read(offset: number, maxBytes: number) {
    const { data, ...r } = this.readBytes(offset, maxBytes);
    return { ...r, text: data.toString(r.encoding) };
  }
}
