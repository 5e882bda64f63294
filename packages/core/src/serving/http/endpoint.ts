import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Env } from "../../base/credentials.js";
import { startSweeper } from "../../base/lifecycle.js";
import { log } from "../../base/logger.js";
import { type Redactor, scopedRedactor, withRedactionScope } from "../../base/redact.js";
import type { SessionLimits } from "../../streams/sessions.js";
import { selectTools, type ToolFilter } from "../../tools/call.js";
import { createVendorServer, type ServerHandle, type VendorDefinition } from "../../tools/vendor.js";
import { BodyTooLargeError, readBody } from "../shared/body.js";
import {
  CredentialHeaderError,
  credentialOverride,
  sameCredential,
  type UserCredential,
} from "../shared/credential.js";
import { CredentialChecker, type CredentialCheckOptions } from "../shared/credential-check.js";
import { type NetworkLimits, resolveLimits } from "../shared/limits.js";
import type { RequestAccess } from "../shared/oauth.js";
import { sendJson } from "../shared/problem.js";

/**
 * MCP over Streamable HTTP for one vendor: one McpServer (and one upstream client, one stream
 * session registry) per MCP session, keyed by Mcp-Session-Id. The caller has already applied the
 * NetworkGuard; this class owns sessions, their expiry and caps, and the per-session credential
 * (bound to the session, scrubbed from its output only).
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
   * Request header carrying the proxy's routing key at initialize (MCP_SESSION_ID_HEADER, e.g.
   * x-request-id). The session id is always generated here; the key is recorded in it as a prefix,
   * `<key>.<random UUID>`, so a proxy hashing on "the Mcp-Session-Id's prefix, else this header"
   * sends every request of the session to the replica that created it. It is logged for
   * correlation too. Ignored unless 8-64 chars of [0-9A-Za-z_~-].
   */
  sessionIdHeader?: string;
  /** How long the verdict on a per-user credential header is kept, and how many (tests lower them). */
  credentialCheck?: CredentialCheckOptions;
}

interface McpSession {
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

const SESSION_HEADER = "mcp-session-id";

export class McpHttpEndpoint<C> {
  readonly vendor: VendorDefinition<C>;
  readonly limits: NetworkLimits;
  readonly #options: McpEndpointOptions;
  readonly #sessions = new Map<string, McpSession>();
  /** Sessions (open or being initialized) per client key. */
  readonly #perClient = new Map<string, number>();
  #pending = 0;
  #statelessInflight = 0;
  #sweeper: NodeJS.Timeout | undefined;
  #closing = false;
  #writers: Set<string> | undefined;
  /** Proves per-user credential headers at initialize, before they cost a session slot. */
  readonly credentials: CredentialChecker<C>;

  constructor(vendor: VendorDefinition<C>, options: McpEndpointOptions = {}) {
    this.vendor = vendor;
    this.#options = options;
    this.credentials = new CredentialChecker(vendor, options.credentialCheck);
    this.limits = resolveLimits(options.limits);
    if (!options.stateless) {
      this.#sweeper = startSweeper(this.limits.sessionIdleMs, () => this.sweep());
    }
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  get stateless(): boolean {
    return this.#options.stateless === true;
  }

  /** `access`: what the caller's OAuth token allows (none without OAuth). */
  async handle(req: IncomingMessage, res: ServerResponse, access?: RequestAccess): Promise<void> {
    if (this.#closing) return rpcError(res, 503, -32000, "Server is shutting down.");
    if (this.stateless) return this.#handleStateless(req, res, access);
    const sid = headerValue(req, SESSION_HEADER);
    if (req.method === "POST") {
      const body = await this.#readJson(req, res);
      if (body === NO_BODY) return;
      if (sid === undefined) {
        if (!isInitializeRequest(body)) {
          return rpcError(res, 400, -32000, "Bad Request: no Mcp-Session-Id header; start with an initialize request.");
        }
        return this.#initialize(req, res, body, access);
      }
      return this.#forward(sid, req, res, body, access);
    }
    if (req.method === "GET" || req.method === "DELETE") {
      if (sid === undefined) return rpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required.");
      return this.#forward(sid, req, res, undefined, access);
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
    const shared = this.#sharedClient;
    this.#sharedClient = undefined;
    if (shared !== undefined) await this.vendor.closeClient?.(shared);
  }

  /** The client stateless requests on the configured credential share, built on first use. */
  #sharedClient: C | undefined;
  readonly #statelessClient = (): C => {
    this.#sharedClient ??= this.vendor.createClient(this.#options.env ?? process.env);
    return this.#sharedClient;
  };

  /** The request's own credential header, if any; an unusable one is answered 400 here (REFUSED: stop). */
  #userCredential(req: IncomingMessage, res: ServerResponse): UserCredential | undefined | typeof REFUSED {
    try {
      return credentialOverride(this.vendor, req.headers, this.#options.env ?? process.env);
    } catch (error) {
      if (!(error instanceof CredentialHeaderError)) throw error;
      rpcError(res, 400, -32000, error.message);
      return REFUSED;
    }
  }

  /** The options of one McpServer for a session (or, stateless, for one request): spread here only. */
  #serverOptions(stateless: boolean, user: UserCredential | undefined, redaction: Redactor | undefined) {
    const { readOnly, disableDestructive, confirmDestructive, allow, toolsets, sessionLimits, instanceId } =
      this.#options;
    const env = user?.env ?? this.#options.env;
    return {
      ...(readOnly ? { readOnly } : {}),
      ...(disableDestructive ? { disableDestructive } : {}),
      ...(confirmDestructive ? { confirmDestructive } : {}),
      ...(allow ? { allow } : {}),
      ...(toolsets ? { toolsets } : {}),
      ...(stateless ? { stateless } : {}),
      ...(env ? { env } : {}),
      ...(redaction ? { redaction } : {}),
      ...(sessionLimits ? { sessionLimits } : {}),
      ...(instanceId ? { instanceId } : {}),
    };
  }

  #count(client: string, delta: 1 | -1): void {
    const n = (this.#perClient.get(client) ?? 0) + delta;
    if (n > 0) this.#perClient.set(client, n);
    else this.#perClient.delete(client);
  }

  async #initialize(req: IncomingMessage, res: ServerResponse, body: unknown, access?: RequestAccess): Promise<void> {
    const user = this.#userCredential(req, res);
    if (user === REFUSED) return;
    // A per-user credential is proven against the upstream before it takes a slot: made-up
    // values would otherwise each count as a new client and fill every slot.
    const redaction = user ? scopedRedactor(user.value) : undefined;
    if (user && redaction) {
      const verdict = await this.credentials.check(user, redaction);
      if (!verdict.ok) {
        if (verdict.status === 401)
          log.info("MCP initialize refused: credential header not accepted upstream", { server: this.vendor.name });
        return rpcError(
          res,
          verdict.status,
          -32000,
          verdict.detail,
          verdict.status === 503 ? { "retry-after": "5" } : {},
        );
      }
      if (this.#closing) return rpcError(res, 503, -32000, "Server is shutting down.");
    }
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
    // One client (its OAuth subject, else its credential, else its address) gets a share of the
    // cap, so it cannot lock every other client out until its sessions expire.
    const client = access?.subject
      ? `subject:${access.subject}`
      : user
        ? `credential:${user.digest.toString("hex")}`
        : `address:${req.socket.remoteAddress ?? "?"}`;
    if ((this.#perClient.get(client) ?? 0) >= this.limits.maxSessionsPerClient) {
      log.warn("MCP per-client session share reached", {
        server: this.vendor.name,
        max: this.limits.maxSessionsPerClient,
        by: access?.subject ? "subject" : user ? "credential" : "address",
      });
      return rpcError(
        res,
        503,
        -32000,
        `This client already holds ${this.limits.maxSessionsPerClient} MCP sessions, its share; end one with DELETE or raise MCP_HTTP_MAX_SESSIONS_PER_CLIENT.`,
        { "retry-after": "5" },
      );
    }
    // Accepted: from here on the user's credential is scrubbed from this session's output.
    const handle = createVendorServer(this.vendor, this.#serverOptions(false, user, redaction));
    if (access?.readOnly) handle.setReadOnly(true);
    const session: McpSession = {
      id: undefined,
      transport: undefined as unknown as StreamableHTTPServerTransport,
      handle,
      lastActivity: Date.now(),
      inflight: 0,
      credential: user?.digest,
      subject: access?.subject,
      redaction,
      client,
      closed: false,
    };
    this.#pending++;
    this.#count(client, 1);
    let registered = false;
    const correlation = this.#routingKey(req);
    session.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => newSessionId(correlation),
      maxRequestBodySize: this.limits.maxBodyBytes,
      onsessioninitialized: (id) => {
        session.id = id;
        this.#pending--;
        registered = true;
        this.#sessions.set(id, session);
        // The id is a bearer capability for the session: never at info level.
        log.info("MCP session opened", {
          server: this.vendor.name,
          perUserCredential: !!user,
          ...(correlation ? { correlation } : {}),
        });
        log.debug("MCP session id", { server: this.vendor.name, session: id });
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

  /** The proxy's routing key for this initialize (MCP_SESSION_ID_HEADER), when well-formed. */
  #routingKey(req: IncomingMessage): string | undefined {
    const name = this.#options.sessionIdHeader;
    const key = name ? headerValue(req, name)?.trim() : undefined;
    return key && ROUTING_KEY.test(key) ? key : undefined;
  }

  async #forward(
    sid: string,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    access?: RequestAccess,
  ): Promise<void> {
    const session = this.#sessions.get(sid);
    if (!session || session.closed) {
      return rpcError(res, 404, -32001, "Session not found: it ended or expired. Initialize a new one.");
    }
    if (session.subject !== access?.subject) {
      return rpcError(
        res,
        403,
        -32000,
        "This MCP session was opened by another user; initialize a session of your own.",
      );
    }
    if (access && this.#refuseScope(res, body, access)) return;
    // The tools listed follow the scope of the token in hand (a client may step up mid-session).
    session.handle.setReadOnly(access?.readOnly ?? false);
    const user = this.#userCredential(req, res);
    if (user === REFUSED) return;
    // A session opened with a user's credential runs with it: every request of the session
    // (including DELETE) must carry that same credential, and a session opened without one
    // cannot be switched to one.
    if (!sameCredential(user?.digest, session.credential)) {
      const header = this.vendor.credentialHeader;
      return rpcError(
        res,
        403,
        -32000,
        session.credential
          ? `This session was opened with a ${header} header: every request of it must carry the same one.`
          : `This session was opened without a ${header} header; open a new session to use one.`,
      );
    }
    await this.#run(session, req, res, body);
  }

  #run(session: McpSession, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    return withRedactionScope(session.redaction, () => this.#runInScope(session, req, res, body));
  }

  async #runInScope(session: McpSession, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
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
    this.#count(session.client, -1);
    if (session.id) {
      this.#sessions.delete(session.id);
      log.info("MCP session closed", { server: this.vendor.name, why });
      log.debug("MCP session id closed", { server: this.vendor.name, session: session.id });
    }
    // Closes stream sessions (upstream websockets), aborts in-flight calls, releases the client.
    await session.handle.close().catch((error: unknown) => log.warn("session close failed", { error: String(error) }));
    await session.transport.close().catch(() => {});
  }

  async #handleStateless(req: IncomingMessage, res: ServerResponse, access?: RequestAccess): Promise<void> {
    if (req.method !== "POST") {
      return rpcError(res, 405, -32000, "Method not allowed: this server is stateless (POST only).", { allow: "POST" });
    }
    const body = await this.#readJson(req, res);
    if (body === NO_BODY) return;
    if (access && this.#refuseScope(res, body, access)) return;
    if (this.#statelessInflight >= this.limits.maxSessions) {
      return rpcError(res, 503, -32000, `Too many concurrent requests (${this.limits.maxSessions}).`, {
        "retry-after": "1",
      });
    }
    const user = this.#userCredential(req, res);
    if (user === REFUSED) return;
    const redaction = user ? scopedRedactor(user.value) : undefined;
    const handle = createVendorServer(this.vendor, {
      ...this.#serverOptions(true, user, redaction),
      // A request on the configured credential reuses one client: a client per request would open
      // (and close) a new upstream connection for every call.
      ...(user ? {} : { sharedClient: this.#statelessClient }),
      // Nothing else can reach this server before it ends: a request of tools/call messages
      // only needs the tools it names registered.
      ...calledToolsOption(body),
    });
    if (access?.readOnly) handle.setReadOnly(true);
    // No sessionIdGenerator: the SDK's stateless mode (no Mcp-Session-Id issued or checked).
    // A stateless server sends nothing but the answer unless the client asked for progress (no
    // session to log to, no elicitation), so without a progress token the answer is one JSON
    // document: written with the headers at once instead of an SSE stream (headers flushed, then
    // the event, then the end).
    const transport = new StreamableHTTPServerTransport({
      maxRequestBodySize: this.limits.maxBodyBytes,
      enableJsonResponse: !asksForProgress(body),
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
      await withRedactionScope(redaction, () => transport.handleRequest(req, res, body));
    } catch (error) {
      finish();
      throw error;
    }
  }

  /**
   * A tools/call (alone or in a batch) for a tool this server offers but the token's scope does not
   * cover → 403 insufficient_scope with the challenge naming the scope, so the client can step up.
   * Tools the flags removed fall through to the SDK's "not found".
   */
  #refuseScope(res: ServerResponse, body: unknown, access: RequestAccess): boolean {
    if (!access.readOnly) return false;
    const messages = Array.isArray(body) ? body : [body];
    for (const m of messages) {
      if (!m || typeof m !== "object" || (m as { method?: unknown }).method !== "tools/call") continue;
      const name = (m as { params?: { name?: unknown } }).params?.name;
      if (typeof name !== "string" || !this.#writeTools.has(name)) continue;
      rpcError(
        res,
        403,
        -32000,
        `insufficient_scope: the tool "${name}" changes things and your access token grants read-only access; sign in with the write scope.`,
        access.insufficientScope(),
      );
      return true;
    }
    return false;
  }

  get #writeTools(): Set<string> {
    this.#writers ??= new Set(
      selectTools(this.vendor.tools, this.#serverOptions(this.stateless, undefined, undefined), this.vendor.toolsets)
        .filter((t) => !t.annotations.readOnlyHint)
        .map((t) => t.name),
    );
    return this.#writers;
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
const REFUSED = Symbol("refused");
/** A routing key recorded in a session id: no "." (the separator), short enough for a header. */
const ROUTING_KEY = /^[0-9A-Za-z_~-]{8,64}$/;

/**
 * A new session id: a random UUID (122 random bits), generated here and never taken from the client (a chosen id
 * would let an attacker fix a victim's session). A proxy's routing key, when given, is a prefix
 * (`<key>.<hex>`) the proxy can route on; it grants nothing.
 */
export function newSessionId(routingKey?: string): string {
  const random = randomUUID();
  return routingKey ? `${routingKey}.${random}` : random;
}

/** `{ only }`: the tool names when every message of the body is a tools/call naming one; else `{}`. */
function calledToolsOption(body: unknown): { only?: ReadonlySet<string> } {
  const messages = Array.isArray(body) ? body : [body];
  const names = new Set<string>();
  for (const m of messages) {
    const call = m as { method?: unknown; params?: { name?: unknown } } | null;
    if (call?.method !== "tools/call" || typeof call.params?.name !== "string") return {};
    names.add(call.params.name);
  }
  return names.size ? { only: names } : {};
}

/** Whether a message (or one of a batch) carries a progress token, i.e. wants notifications streamed. */
export function asksForProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined && meta.progressToken !== null;
  });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
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
