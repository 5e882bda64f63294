import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { startSweeper } from "../../base/lifecycle.js";
import { log } from "../../base/logger.js";
import { scopedRedactor, withRedactionScope } from "../../base/redact.js";
import { createVendorServer, type VendorDefinition } from "../../tools/vendor.js";
import { sameCredential } from "../shared/credential.js";
import { CredentialChecker } from "../shared/credential-check.js";
import { type NetworkLimits, resolveLimits } from "../shared/limits.js";
import type { RequestAccess } from "../shared/oauth.js";
import { REFUSED, RequestChecks } from "./access.js";
import { headerValue, NO_BODY, newSessionId, ROUTING_KEY, readJson, rpcError } from "./jsonrpc.js";
import { type McpEndpointOptions, serverOptions } from "./options.js";
import { type McpSession, McpSessionRegistry } from "./sessions.js";
import { StatelessRequests } from "./stateless.js";

export { asksForProgress, newSessionId, rpcError } from "./jsonrpc.js";
export type { McpEndpointOptions } from "./options.js";

const SESSION_HEADER = "mcp-session-id";

/**
 * MCP over Streamable HTTP for one vendor: one McpServer (and one upstream client, one stream
 * session registry) per MCP session, keyed by Mcp-Session-Id. The caller has already applied the
 * NetworkGuard; this class owns sessions, their expiry and caps, and the per-session credential
 * (bound to the session, scrubbed from its output only).
 */
export class McpHttpEndpoint<C> {
  readonly vendor: VendorDefinition<C>;
  readonly limits: NetworkLimits;
  readonly #options: McpEndpointOptions;
  readonly #sessions: McpSessionRegistry;
  readonly #stateless: StatelessRequests<C> | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #closing = false;
  readonly #checks: RequestChecks<C>;
  /** Proves per-user credential headers at initialize, before they cost a session slot. */
  readonly credentials: CredentialChecker<C>;

  constructor(vendor: VendorDefinition<C>, options: McpEndpointOptions = {}) {
    this.vendor = vendor;
    this.#options = options;
    this.credentials = new CredentialChecker(vendor, options.credentialCheck);
    this.#checks = new RequestChecks(
      vendor,
      options.env ?? {},
      serverOptions(this.#options, options.stateless === true),
    );
    this.limits = resolveLimits(options.limits);
    this.#sessions = new McpSessionRegistry(vendor.name, this.limits);
    if (options.stateless) {
      this.#stateless = new StatelessRequests(
        vendor,
        options.env ?? {},
        this.limits,
        this.#checks,
        (user, redaction, access) => serverOptions(this.#options, true, user, redaction, access),
      );
    } else {
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
    if (this.#stateless) return this.#stateless.handle(req, res, access);
    const sid = headerValue(req, SESSION_HEADER);
    if (req.method === "POST") {
      const body = await readJson(req, res, this.limits.maxBodyBytes);
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
  sweep(now = Date.now()): Promise<number> {
    return this.#sessions.sweep(now);
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweeper);
    await this.#sessions.closeAll("shutdown");
    await this.#stateless?.close();
  }

  async #initialize(req: IncomingMessage, res: ServerResponse, body: unknown, access?: RequestAccess): Promise<void> {
    const user = this.#checks.userCredential(req, res);
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
    // One client (its OAuth subject, else its credential, else its address) gets a share of the
    // cap, so it cannot lock every other client out until its sessions expire.
    const client = access?.subject
      ? `subject:${access.subject}`
      : user
        ? `credential:${user.digest.toString("hex")}`
        : `address:${req.socket.remoteAddress ?? "?"}`;
    const full = this.#sessions.refusal(client, access?.subject ? "subject" : user ? "credential" : "address");
    if (full) return rpcError(res, 503, -32000, full, { "retry-after": "5" });
    // Accepted: from here on the user's credential is scrubbed from this session's output.
    const handle = createVendorServer(this.vendor, serverOptions(this.#options, false, user, redaction, access));
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
    this.#sessions.reserve(session);
    let registered = false;
    const correlation = this.#routingKey(req);
    session.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => newSessionId(correlation),
      maxRequestBodySize: this.limits.maxBodyBytes,
      onsessioninitialized: (id) => {
        session.id = id;
        registered = true;
        this.#sessions.opened(id, session);
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
        void this.#sessions.drop(session, "deleted");
      },
    });
    session.transport.onclose = () => void this.#sessions.drop(session, "transport closed");
    try {
      await handle.server.connect(session.transport);
      await this.#run(session, req, res, body);
    } finally {
      if (!registered) {
        this.#sessions.abandoned();
        // Initialization failed (bad protocol version, …): nothing can reach this server again.
        if (!session.id) await this.#sessions.drop(session, "initialize failed");
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
    if (access && this.#checks.refuseScope(res, body, access)) return;
    // The tools listed follow the scope of the token in hand (a client may step up mid-session).
    session.handle.setReadOnly(access?.readOnly ?? false);
    const user = this.#checks.userCredential(req, res);
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
}

/** Open MCP sessions per vendor, for /healthz. */
export function sessionCounts(endpoints: Iterable<McpHttpEndpoint<unknown>>): Record<string, number> {
  return Object.fromEntries([...endpoints].map((e) => [e.vendor.name, e.sessionCount]));
}
