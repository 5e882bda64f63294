import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Env } from "../../base/credentials.js";
import { type Redactor, scopedRedactor, withRedactionScope } from "../../base/redact.js";
import { createVendorServer, type ServerOptions, type VendorDefinition } from "../../tools/vendor.js";
import type { UserCredential } from "../shared/credential.js";
import type { NetworkLimits } from "../shared/limits.js";
import type { RequestAccess } from "../shared/oauth.js";
import { REFUSED, type RequestChecks } from "./access.js";
import { asksForProgress, calledToolsOption, NO_BODY, readJson, rpcError } from "./jsonrpc.js";

/**
 * --stateless: no Mcp-Session-Id, a fresh McpServer per POST, nothing outlives the request. The
 * cap counts requests in flight; requests on the configured credential share one upstream client.
 */
export class StatelessRequests<C> {
  readonly #vendor: VendorDefinition<C>;
  readonly #env: Env;
  readonly #limits: NetworkLimits;
  readonly #checks: RequestChecks<C>;
  readonly #serverOptions: (user?: UserCredential, redaction?: Redactor, access?: RequestAccess) => ServerOptions;
  #inflight = 0;
  #client: C | undefined;

  constructor(
    vendor: VendorDefinition<C>,
    env: Env,
    limits: NetworkLimits,
    checks: RequestChecks<C>,
    serverOptions: (user?: UserCredential, redaction?: Redactor, access?: RequestAccess) => ServerOptions,
  ) {
    this.#vendor = vendor;
    this.#env = env;
    this.#limits = limits;
    this.#checks = checks;
    this.#serverOptions = serverOptions;
  }

  /** The client stateless requests on the configured credential share, built on first use. */
  readonly #sharedClient = (): C => {
    this.#client ??= this.#vendor.createClient(this.#env);
    return this.#client;
  };

  async close(): Promise<void> {
    const shared = this.#client;
    this.#client = undefined;
    if (shared !== undefined) await this.#vendor.closeClient?.(shared);
  }

  async handle(req: IncomingMessage, res: ServerResponse, access?: RequestAccess): Promise<void> {
    if (req.method !== "POST") {
      return rpcError(res, 405, -32000, "Method not allowed: this server is stateless (POST only).", { allow: "POST" });
    }
    const body = await readJson(req, res, this.#limits.maxBodyBytes);
    if (body === NO_BODY) return;
    if (access && this.#checks.refuseScope(res, body, access)) return;
    if (this.#inflight >= this.#limits.maxSessions) {
      return rpcError(res, 503, -32000, `Too many concurrent requests (${this.#limits.maxSessions}).`, {
        "retry-after": "1",
      });
    }
    const user = this.#checks.userCredential(req, res);
    if (user === REFUSED) return;
    const redaction = user ? scopedRedactor(user.value) : undefined;
    const handle = createVendorServer(this.#vendor, {
      ...this.#serverOptions(user, redaction, access),
      // A request on the configured credential reuses one client: a client per request would open
      // (and close) a new upstream connection for every call.
      ...(user ? {} : { sharedClient: this.#sharedClient }),
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
      maxRequestBodySize: this.#limits.maxBodyBytes,
      enableJsonResponse: !asksForProgress(body),
    });
    this.#inflight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.#inflight--;
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
}
