import type { Env } from "../base/credentials.js";
import { InputError, LimitError, NotFoundError } from "../base/errors.js";
import { startSweeper } from "../base/lifecycle.js";
import { log } from "../base/logger.js";
import { coreSetting } from "../base/settings.js";
import { observeGauge, observeStreamMemory } from "../observe/observer.js";
import { StreamMemory } from "./output.js";
import { type SessionDriver, type SessionInfo, StreamSession } from "./session.js";

export { type SessionDriver, type SessionInfo, StreamSession } from "./session.js";

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
