import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Env } from "../credentials.js";
import { log } from "../logger.js";
import type { SessionLimits } from "../sessions.js";
import type { ToolFilter } from "../tool.js";
import { createVendorServer, type ServerHandle, type VendorDefinition } from "../vendor.js";
import {
  BodyTooLargeError,
  credentialOverride,
  DEFAULT_NETWORK_LIMITS,
  type NetworkLimits,
  readBody,
  sendJson,
} from "./security.js";

/**
 * MCP over Streamable HTTP for one vendor: one McpServer (and one upstream client, one stream
 * session registry) per MCP session, keyed by Mcp-Session-Id. The caller has already applied the
 * NetworkGuard; this class owns sessions, their expiry and the per-session credential override.
 */
export interface McpEndpointOptions extends ToolFilter {
  limits?: Partial<NetworkLimits>;
  /** No Mcp-Session-Id: a fresh server per POST; session tools are not offered. */
  stateless?: boolean;
  /** Base environment the vendor client is built from (default process.env). */
  env?: Env;
  sessionLimits?: Partial<SessionLimits>;
  /** Replica id shown in serverInfo.version as `<version>+<id>` (MCP_INSTANCE_ID). */
  instanceId?: string;
  /**
   * Request header whose value becomes the new session's id at initialize (MCP_SESSION_ID_HEADER),
   * so a proxy hashing on "Mcp-Session-Id, else this header" routes the whole session to the replica
   * that created it. Ignored unless 16-128 chars of [0-9A-Za-z._~-] and unused.
   */
  sessionIdHeader?: string;
}

interface McpSession {
  id: string | undefined;
  transport: StreamableHTTPServerTransport;
  handle: ServerHandle;
  lastActivity: number;
  inflight: number;
  /** Digest of the credential header this session was opened with, if any. */
  credential: Buffer | undefined;
  closed: boolean;
}

const SESSION_HEADER = "mcp-session-id";

export class McpHttpEndpoint<C> {
  readonly vendor: VendorDefinition<C>;
  readonly limits: NetworkLimits;
  readonly #options: McpEndpointOptions;
  readonly #sessions = new Map<string, McpSession>();
  #pending = 0;
  #statelessInflight = 0;
  #sweeper: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(vendor: VendorDefinition<C>, options: McpEndpointOptions = {}) {
    this.vendor = vendor;
    this.#options = options;
    this.limits = { ...DEFAULT_NETWORK_LIMITS, ...options.limits };
    if (!options.stateless) {
      const every = Math.max(250, Math.min(60_000, Math.floor(this.limits.sessionIdleMs / 4)));
      this.#sweeper = setInterval(() => void this.sweep(), every);
      this.#sweeper.unref();
    }
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  get stateless(): boolean {
    return this.#options.stateless === true;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#closing) return rpcError(res, 503, -32000, "Server is shutting down.");
    if (this.stateless) return this.#handleStateless(req, res);
    const sid = headerValue(req, SESSION_HEADER);
    if (req.method === "POST") {
      const body = await this.#readJson(req, res);
      if (body === NO_BODY) return;
      if (sid === undefined) {
        if (!isInitializeRequest(body)) {
          return rpcError(res, 400, -32000, "Bad Request: no Mcp-Session-Id header; start with an initialize request.");
        }
        return this.#initialize(req, res, body);
      }
      return this.#forward(sid, req, res, body);
    }
    if (req.method === "GET" || req.method === "DELETE") {
      if (sid === undefined) return rpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required.");
      return this.#forward(sid, req, res, undefined);
    }
    return rpcError(res, 405, -32000, "Method not allowed.", { allow: "GET, POST, DELETE" });
  }

  /** Closes sessions idle longer than the limit (no request in flight). Returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    const stale = [...this.#sessions.values()].filter(
      (s) => s.inflight === 0 && now - s.lastActivity > this.limits.sessionIdleMs,
    );
    await Promise.all(stale.map((s) => this.#drop(s, "idle")));
    return stale.length;
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweeper);
    await Promise.all([...this.#sessions.values()].map((s) => this.#drop(s, "shutdown")));
  }

  #credentialEnv(req: IncomingMessage): { env: Env | undefined; credential: Buffer | undefined } {
    const base = this.#options.env;
    const override = credentialOverride(this.vendor, req.headers, base ?? process.env);
    if (!override) return { env: base, credential: undefined };
    return { env: override.env, credential: digest(override.value) };
  }

  #filter(stateless: boolean): ToolFilter {
    const { readOnly, disableDestructive, confirmDestructive, allow, toolsets } = this.#options;
    return {
      ...(readOnly ? { readOnly } : {}),
      ...(disableDestructive ? { disableDestructive } : {}),
      ...(confirmDestructive ? { confirmDestructive } : {}),
      ...(allow ? { allow } : {}),
      ...(toolsets ? { toolsets } : {}),
      ...(stateless ? { stateless } : {}),
    };
  }

  async #initialize(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (this.#sessions.size + this.#pending >= this.limits.maxSessions) {
      log.warn("MCP session cap reached", { server: this.vendor.name, max: this.limits.maxSessions });
      return rpcError(
        res,
        503,
        -32000,
        `Too many MCP sessions (${this.limits.maxSessions}); end one with DELETE or raise MCP_HTTP_MAX_SESSIONS.`,
        { "retry-after": "5" },
      );
    }
    const { env, credential } = this.#credentialEnv(req);
    const handle = createVendorServer(this.vendor, {
      ...this.#filter(false),
      ...(env ? { env } : {}),
      ...(this.#options.sessionLimits ? { sessionLimits: this.#options.sessionLimits } : {}),
      ...(this.#options.instanceId ? { instanceId: this.#options.instanceId } : {}),
    });
    const session: McpSession = {
      id: undefined,
      transport: undefined as unknown as StreamableHTTPServerTransport,
      handle,
      lastActivity: Date.now(),
      inflight: 0,
      credential,
      closed: false,
    };
    this.#pending++;
    let registered = false;
    session.transport = new StreamableHTTPServerTransport({
      // Runs synchronously right before onsessioninitialized registers the id: no duplicate race.
      sessionIdGenerator: () => this.#newSessionId(req),
      maxRequestBodySize: this.limits.maxBodyBytes,
      onsessioninitialized: (id) => {
        session.id = id;
        this.#pending--;
        registered = true;
        this.#sessions.set(id, session);
        log.info("MCP session opened", { server: this.vendor.name, session: id, perUserCredential: !!credential });
      },
      onsessionclosed: () => {
        // DELETE: the transport closes itself right after; release the server and upstream streams.
        void this.#drop(session, "deleted");
      },
    });
    session.transport.onclose = () => void this.#drop(session, "transport closed");
    try {
      await handle.server.connect(session.transport);
      await this.#run(session, req, res, body);
    } finally {
      if (!registered) {
        this.#pending--;
        // Initialization failed (bad protocol version, …): nothing can reach this server again.
        if (!session.id) await this.#drop(session, "initialize failed");
      }
    }
  }

  #newSessionId(req: IncomingMessage): string {
    const name = this.#options.sessionIdHeader;
    const proposed = name ? headerValue(req, name)?.trim() : undefined;
    if (proposed && PROPOSED_SESSION_ID.test(proposed) && !this.#sessions.has(proposed)) return proposed;
    return randomUUID();
  }

  async #forward(sid: string, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const session = this.#sessions.get(sid);
    if (!session || session.closed) {
      return rpcError(res, 404, -32001, "Session not found: it ended or expired. Initialize a new one.");
    }
    const { credential } = this.#credentialEnv(req);
    if (credential && !(session.credential && timingSafeEqual(credential, session.credential))) {
      return rpcError(
        res,
        403,
        -32000,
        `The ${this.vendor.credentialHeader} header differs from the one this session was opened with.`,
      );
    }
    await this.#run(session, req, res, body);
  }

  async #run(session: McpSession, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    session.lastActivity = Date.now();
    if (req.method === "GET") {
      // The standalone SSE stream stays open for the whole session; it is not activity, or an
      // abandoned session with a connected stream would never expire.
      await session.transport.handleRequest(req, res, body);
      return;
    }
    session.inflight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      session.inflight--;
      session.lastActivity = Date.now();
    };
    // An SSE response outlives handleRequest; the request is in flight until the response ends.
    res.once("close", release);
    try {
      await session.transport.handleRequest(req, res, body);
    } catch (error) {
      release();
      throw error;
    }
  }

  async #drop(session: McpSession, why: string): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    if (session.id) this.#sessions.delete(session.id);
    if (session.id) log.info("MCP session closed", { server: this.vendor.name, session: session.id, why });
    // Closes stream sessions (upstream websockets), aborts in-flight calls, releases the client.
    await session.handle.close().catch((error: unknown) => log.warn("session close failed", { error: String(error) }));
    await session.transport.close().catch(() => {});
  }

  async #handleStateless(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      return rpcError(res, 405, -32000, "Method not allowed: this server is stateless (POST only).", { allow: "POST" });
    }
    const body = await this.#readJson(req, res);
    if (body === NO_BODY) return;
    if (this.#statelessInflight >= this.limits.maxSessions) {
      return rpcError(res, 503, -32000, `Too many concurrent requests (${this.limits.maxSessions}).`, {
        "retry-after": "1",
      });
    }
    const { env } = this.#credentialEnv(req);
    const handle = createVendorServer(this.vendor, {
      ...this.#filter(true),
      ...(env ? { env } : {}),
      ...(this.#options.sessionLimits ? { sessionLimits: this.#options.sessionLimits } : {}),
      ...(this.#options.instanceId ? { instanceId: this.#options.instanceId } : {}),
    });
    // No sessionIdGenerator: the SDK's stateless mode (no Mcp-Session-Id issued or checked).
    const transport = new StreamableHTTPServerTransport({
      maxRequestBodySize: this.limits.maxBodyBytes,
    });
    this.#statelessInflight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.#statelessInflight--;
      void handle.close();
      void transport.close().catch(() => {});
    };
    res.once("close", finish);
    try {
      await handle.server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      finish();
      throw error;
    }
  }

  async #readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    let raw: Buffer;
    try {
      raw = await readBody(req, this.limits.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        rpcError(res, 413, -32000, error.message, { connection: "close" });
        return NO_BODY;
      }
      throw error;
    }
    try {
      return JSON.parse(raw.toString("utf8"));
    } catch {
      rpcError(res, 400, -32700, "Parse error: the body is not valid JSON.");
      return NO_BODY;
    }
  }
}

const NO_BODY = Symbol("no body");
const PROPOSED_SESSION_ID = /^[0-9A-Za-z._~-]{16,128}$/;

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** A JSON-RPC error envelope with an HTTP status, as the SDK answers transport-level failures. */
export function rpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers);
}
