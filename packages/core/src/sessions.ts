import { randomUUID } from "node:crypto";
import type { Env } from "./credentials.js";
import { InputError, LimitError, NotFoundError } from "./errors.js";
import { startSweeper } from "./lifecycle.js";
import { log } from "./logger.js";
import { observeGauge, observeStreamMemory } from "./observe/observer.js";
import { RingBuffer, StreamMemory, utf8Part } from "./output.js";
import { coreSetting } from "./settings.js";

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

export interface SessionLimits {
  maxSessions: number;
  /** Bytes of output kept per session (older bytes drop off; reads report how many were missed). */
  bufferBytes: number;
  /** A session nobody touched for this long is closed (ms). */
  idleMs: number;
  /** Output kept by every session of the process together (see StreamMemory); none: no cap. */
  memory?: StreamMemory;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxSessions: 32,
  // Four reads of session-read's largest (1 MiB): a live stream (events, a chatty process) goes on
  // while an answer travels to the client and the next read comes back; at 25 MB/s a 1 MiB buffer
  // was 40 ms of that, and a busy machine's scheduling alone dropped output. The buffer grows by
  // doubling only as unread output needs it, so a quiet session holds a few KiB.
  bufferBytes: 4 * 1024 * 1024,
  idleMs: 10 * 60_000,
};

/** Default of MCP_STREAM_MEMORY_BYTES: 64 sessions' worth of full buffers. */
export const DEFAULT_STREAM_MEMORY_BYTES = 256 * 1024 * 1024;

/**
 * One budget per configured size, shared by every registry that reads the same environment: the
 * entry points build a registry per MCP session (and per REST request), the cap is for the process.
 */
const memories = new Map<number, StreamMemory>();
function processStreamMemory(limit: number): StreamMemory {
  let memory = memories.get(limit);
  if (!memory) {
    memory = new StreamMemory(limit);
    memories.set(limit, memory);
    observeStreamMemory(memory);
  }
  return memory;
}

/**
 * Defaults, overridable per deployment: MCP_MAX_STREAM_SESSIONS, MCP_STREAM_BUFFER_BYTES,
 * MCP_STREAM_IDLE_SECONDS, MCP_STREAM_MEMORY_BYTES. A malformed value is a configuration error
 * naming the variable.
 */
export function sessionLimitsFromEnv(env: Env): SessionLimits {
  return {
    maxSessions: coreSetting("MCP_MAX_STREAM_SESSIONS", env) ?? DEFAULT_SESSION_LIMITS.maxSessions,
    bufferBytes: coreSetting("MCP_STREAM_BUFFER_BYTES", env) ?? DEFAULT_SESSION_LIMITS.bufferBytes,
    idleMs: (coreSetting("MCP_STREAM_IDLE_SECONDS", env) ?? DEFAULT_SESSION_LIMITS.idleMs / 1000) * 1000,
    memory: processStreamMemory(coreSetting("MCP_STREAM_MEMORY_BYTES", env) ?? DEFAULT_STREAM_MEMORY_BYTES),
  };
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

/**
 * Long-lived upstream streams (interactive shells, attached containers), one registry per MCP
 * session so that ending the MCP session closes its upstream sockets. Bounded in count and buffer
 * size, and idle sessions expire.
 */
export class SessionRegistry {
  readonly limits: SessionLimits;
  readonly #sessions = new Map<string, StreamSession>();
  readonly #unavailable: string | undefined;
  readonly #server: string;
  #timer: NodeJS.Timeout | undefined;

  /**
   * Limits come from the entry point (sessionLimitsFromEnv there); unset ones are the defaults.
   * `unavailable`: why no session can be opened here at all (a stateless server); a tool that
   * asks for one gets that reason as an error on its `session` argument.
   */
  constructor(limits: Partial<SessionLimits> = {}, options: { unavailable?: string; server?: string } = {}) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...limits };
    this.#unavailable = options.unavailable;
    this.#server = options.server ?? "unknown";
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Reserve a slot before opening anything upstream, so the cap is checked first. `argument` is
   * the tool argument that asked for the session (named in the error of a stateless server).
   */
  assertCapacity(argument = "session"): void {
    if (this.#unavailable) throw new InputError(argument, this.#unavailable);
    if (this.#sessions.size >= this.limits.maxSessions) {
      throw new LimitError(
        `Too many open sessions (${this.limits.maxSessions}); close one with session-close (or raise MCP_MAX_STREAM_SESSIONS).`,
      );
    }
  }

  add(kind: string, label: string, driver: SessionDriver): StreamSession {
    this.assertCapacity();
    const session = new StreamSession(kind, label, driver, this.limits.bufferBytes, this.limits.memory);
    this.#sessions.set(session.id, session);
    observeGauge("stream", this.#server, 1);
    this.#ensureSweeper();
    return session;
  }

  get(id: string): StreamSession {
    const s = this.#sessions.get(id);
    if (!s) throw new NotFoundError(`No session "${id}": it was closed or expired. Open a new one.`);
    s.touch();
    return s;
  }

  list(): SessionInfo[] {
    return [...this.#sessions.values()].map((s) => s.info());
  }

  async close(id: string): Promise<SessionInfo> {
    const s = this.get(id);
    this.#sessions.delete(id);
    observeGauge("stream", this.#server, -1);
    s.output.release();
    await s.driver.close().catch((error: unknown) => log.warn("session close failed", { id, error: String(error) }));
    return s.info();
  }

  async closeAll(): Promise<void> {
    const all = [...this.#sessions.keys()];
    await Promise.all(all.map((id) => this.close(id).catch(() => {})));
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Closes sessions idle for longer than the limit. Returns how many were closed. */
  async sweep(now = Date.now()): Promise<number> {
    const stale = [...this.#sessions.values()].filter((s) => now - s.lastActivity > this.limits.idleMs);
    await Promise.all(stale.map((s) => this.close(s.id).catch(() => {})));
    if (stale.length) log.info("expired idle sessions", { count: stale.length });
    return stale.length;
  }

  #ensureSweeper(): void {
    if (this.#timer) return;
    this.#timer = startSweeper(this.limits.idleMs, () => this.sweep());
  }
}
