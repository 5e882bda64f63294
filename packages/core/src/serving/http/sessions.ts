import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { log } from "../../base/logger.js";
import type { Redactor } from "../../base/redact.js";
import { observeGauge } from "../../observe/observer.js";
import type { ServerHandle } from "../../tools/vendor.js";
import type { NetworkLimits } from "../shared/limits.js";

/** One MCP session over Streamable HTTP: its transport, its server, who opened it, how busy it is. */
export interface McpSession {
  id: string | undefined;
  transport: StreamableHTTPServerTransport;
  handle: ServerHandle;
  lastActivity: number;
  inflight: number;
  /** Digest of the credential header this session was opened with, if any. */
  credential: Buffer | undefined;
  /** The OAuth subject that opened the session; every later request must come from it. */
  subject: string | undefined;
  /** Scrubs that credential from this session's output; dropped with the session. */
  redaction: Redactor | undefined;
  /** Whose share of the session cap this session counts against. */
  client: string;
  closed: boolean;
}

/**
 * The MCP sessions of one endpoint by Mcp-Session-Id: the cap and each client's share of it
 * (sessions being initialized count too), idle expiry, and the end of a session (its server,
 * stream sessions and upstream client released).
 */
export class McpSessionRegistry {
  readonly #server: string;
  readonly #limits: NetworkLimits;
  readonly #sessions = new Map<string, McpSession>();
  /** Sessions (open or being initialized) per client key. */
  readonly #perClient = new Map<string, number>();
  #pending = 0;

  constructor(server: string, limits: NetworkLimits) {
    this.#server = server;
    this.#limits = limits;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): McpSession | undefined {
    return this.#sessions.get(id);
  }

  /**
   * Why `client` may not open another session (the cap, or its share of it), as the text of the
   * 503; undefined when it may. `by` says in the log what the client is keyed by.
   */
  refusal(client: string, by: string): string | undefined {
    if (this.#sessions.size + this.#pending >= this.#limits.maxSessions) {
      log.warn("MCP session cap reached", { server: this.#server, max: this.#limits.maxSessions });
      return `Too many MCP sessions (${this.#limits.maxSessions}); end one with DELETE or raise MCP_HTTP_MAX_SESSIONS.`;
    }
    if ((this.#perClient.get(client) ?? 0) >= this.#limits.maxSessionsPerClient) {
      log.warn("MCP per-client session share reached", {
        server: this.#server,
        max: this.#limits.maxSessionsPerClient,
        by,
      });
      return `This client already holds ${this.#limits.maxSessionsPerClient} MCP sessions, its share; end one with DELETE or raise MCP_HTTP_MAX_SESSIONS_PER_CLIENT.`;
    }
    return undefined;
  }

  /** A session being initialized takes its slot now; `opened` or `abandoned` settles it. */
  reserve(session: McpSession): void {
    this.#pending++;
    this.#count(session.client, 1);
  }

  opened(id: string, session: McpSession): void {
    this.#pending--;
    this.#sessions.set(id, session);
    observeGauge("sessions", this.#server, 1);
  }

  abandoned(): void {
    this.#pending--;
  }

  /** Closes sessions idle longer than the limit (no request in flight). Returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    const stale = [...this.#sessions.values()].filter(
      (s) => s.inflight === 0 && now - s.lastActivity > this.#limits.sessionIdleMs,
    );
    await Promise.all(stale.map((s) => this.drop(s, "idle")));
    return stale.length;
  }

  async closeAll(why: string): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => this.drop(s, why)));
  }

  async drop(session: McpSession, why: string): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    this.#count(session.client, -1);
    if (session.id) {
      this.#sessions.delete(session.id);
      observeGauge("sessions", this.#server, -1);
      log.info("MCP session closed", { server: this.#server, why });
      log.debug("MCP session id closed", { server: this.#server, session: session.id });
    }
    // Closes stream sessions (upstream websockets), aborts in-flight calls, releases the client.
    await session.handle.close().catch((error: unknown) => log.warn("session close failed", { error: String(error) }));
    await session.transport.close().catch(() => {});
  }

  #count(client: string, delta: 1 | -1): void {
    const n = (this.#perClient.get(client) ?? 0) + delta;
    if (n > 0) this.#perClient.set(client, n);
    else this.#perClient.delete(client);
  }
}
