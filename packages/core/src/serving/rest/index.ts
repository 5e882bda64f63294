import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";
import type { Duplex } from "node:stream";
import type WebSocket from "ws";
import { WebSocketServer } from "ws";
import { z } from "zod";
import type { Env } from "../../base/credentials.js";
import { ConfigError, httpStatusFor, InfraMcpError, InputError } from "../../base/errors.js";
import { log } from "../../base/logger.js";
import { type Redactor, redactor, scopedRedactor, withRedactionScope } from "../../base/redact.js";
import { SessionRegistry, sessionLimitsFromEnv } from "../../streams/sessions.js";
import {
  type AnyTool,
  errorText,
  invokeTool,
  selectTools,
  type ToolContext,
  type ToolFilter,
} from "../../tools/call.js";
import { splitToolsets } from "../../tools/toolsets.js";
import type { VendorDefinition } from "../../tools/vendor.js";
import { BodyTooLargeError, hasBody, isJsonContentType, readBody } from "../shared/body.js";
import { CredentialHeaderError, credentialOverride, type UserCredential } from "../shared/credential.js";
import { type NetworkLimits, resolveLimits } from "../shared/limits.js";
import type { RequestAccess } from "../shared/oauth.js";
import { refuseUpgrade, sendJson, sendProblem } from "../shared/problem.js";
import { type Bridge, bridgeWebSockets, holdUpstream } from "./passthrough.js";
import { buildArgs, type CompiledRoute, compileRoutes, matchRoute } from "./routes.js";

export { type Bridge, type BridgeStats, bridgeWebSockets, holdUpstream, isSendableCloseCode } from "./passthrough.js";
export { buildArgs, type CompiledRoute, coerceArg, compileRoutes, matchRoute } from "./routes.js";

/**
 * The seeds' REST surface: every vendor's route table, answered by the same tool handler the MCP
 * server runs. Query, path and JSON body become tool arguments, validated by the tool's own zod
 * schema; the result is JSON (structuredContent, or {text}); failures are problem+json with the
 * status errors.ts assigns. Websocket routes bridge an Upgrade to the upstream socket the tool's
 * `openUpstreamSocket` opens, credential applied server-side; without an Upgrade, POST runs the
 * tool as a plain call, and so does GET when the tool is read-only (a GET is what a browser sends
 * cross-site without asking, so it never runs a tool that changes anything).
 */
export interface RestOptions extends ToolFilter {
  /**
   * Each vendor's tool filter, exactly as its MCP endpoint gets it (serveNetwork builds both from
   * one map). Without it, this options object is the filter, its `toolsets` entries split among
   * the vendors like --toolsets.
   */
  filters?: ReadonlyMap<VendorDefinition<unknown>, ToolFilter>;
  limits?: Partial<NetworkLimits>;
  env?: Env;
  /** Backpressure thresholds for websocket passthrough (bytes). */
  highWaterMark?: number;
}

export interface RestSurface {
  readonly routes: readonly CompiledRoute[];
  /** `access`: what the caller's OAuth token allows (none without OAuth). */
  handle(req: IncomingMessage, res: ServerResponse, access?: RequestAccess): Promise<void>;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, access?: RequestAccess): Promise<void>;
  /** Open websocket bridges (for tests and /healthz). */
  readonly bridges: ReadonlySet<Bridge>;
  close(): Promise<void>;
}

const PROBLEM_BASE = "https://infra-mcp.dev/problems/";

interface ClientLease {
  client: unknown;
  release(): Promise<void>;
}

export function createRestSurface(
  vendors: readonly VendorDefinition<unknown>[],
  options: RestOptions = {},
): RestSurface {
  const limits = resolveLimits(options.limits);
  const env = options.env ?? process.env;
  const sessionLimits = sessionLimitsFromEnv(env);
  const filters = options.filters ?? ownFilters(vendors, options);
  const filterOf = (vendor: VendorDefinition<unknown>): ToolFilter => filters.get(vendor) ?? {};
  const routes = compileRoutes(
    vendors.map((vendor) => ({
      vendor,
      tools: selectTools(vendor.tools, filterOf(vendor), vendor.toolsets).filter((t) => !t.usesSessions),
    })),
  );
  /** --confirm-destructive: REST cannot ask anyone, so destructive routes are refused (403). */
  const unconfirmable = (compiled: CompiledRoute): boolean =>
    filterOf(compiled.vendor).confirmDestructive === true && compiled.tool.annotations.destructiveHint;
  const confirmDetail = (compiled: CompiledRoute) =>
    `${compiled.tool.name} is destructive and this server requires the user to confirm destructive calls (--confirm-destructive), which the REST surface cannot ask for; use the MCP endpoint.`;
  const shared = new Map<VendorDefinition<unknown>, unknown>();
  const bridges = new Set<Bridge>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  let closing = false;

  /** The process-wide client, or a per-request one when the request carries the vendor's credential header. */
  const lease = (vendor: VendorDefinition<unknown>, user: UserCredential | undefined): ClientLease => {
    if (user) {
      const client = vendor.createClient(user.env);
      return { client, release: async () => vendor.closeClient?.(client) };
    }
    let client = shared.get(vendor);
    if (client === undefined) {
      client = vendor.createClient(env);
      shared.set(vendor, client);
    }
    return { client, release: async () => {} };
  };

  const parseRequest = async (
    req: IncomingMessage,
    compiled: CompiledRoute,
    pathArgs: Record<string, string>,
    url: URL,
    withBody: boolean,
  ): Promise<{ ok: true; args: unknown } | { ok: false; status: number; problem: Record<string, unknown> }> => {
    let body: unknown;
    if (withBody) {
      const raw = await readBody(req, limits.maxBodyBytes);
      if (raw.length) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          return {
            ok: false,
            status: 400,
            problem: { title: "Invalid JSON body", detail: "The body is not valid JSON." },
          };
        }
      }
    }
    const args = buildArgs(compiled, url.searchParams, pathArgs, body);
    const parsed = compiled.tool.inputSchema.safeParse(args);
    if (!parsed.success) return { ok: false, status: 400, problem: zodProblem(parsed.error) };
    return { ok: true, args: parsed.data };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, access?: RequestAccess): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://rest.invalid");
    let match: ReturnType<typeof matchRoute>;
    try {
      match = matchRoute(routes, req.method ?? "GET", url.pathname);
    } catch (error) {
      return problem(res, error);
    }
    if (match.kind === "none") {
      return sendProblem(res, {
        title: "Not found",
        status: 404,
        detail: `No REST route ${req.method} ${url.pathname}.`,
      });
    }
    if (match.kind === "method") {
      return sendProblem(
        res,
        { title: "Method not allowed", status: 405, detail: `${url.pathname} accepts ${match.allow.join(", ")}.` },
        { allow: match.allow.join(", ") },
      );
    }
    const { route: compiled, pathArgs } = match;
    if (access?.readOnly && !compiled.tool.annotations.readOnlyHint) {
      return sendProblem(res, insufficientScope(compiled.tool.name), access.insufficientScope());
    }
    if (compiled.route.openUpstreamSocket && req.method === "GET" && !compiled.tool.annotations.readOnlyHint) {
      return sendProblem(
        res,
        {
          title: "Method not allowed",
          status: 405,
          detail: `A plain GET never runs ${compiled.tool.name}, which changes things: open a websocket (Upgrade) on ${url.pathname}, or POST the arguments as JSON.`,
        },
        { allow: "POST" },
      );
    }
    if (hasBody(req) && !isJsonContentType(req)) {
      return sendProblem(res, {
        title: "Unsupported media type",
        status: 415,
        detail: "A request body must be JSON (Content-Type: application/json).",
      });
    }
    const user = userCredential(compiled.vendor, req, env);
    if (user instanceof CredentialHeaderError) {
      return sendProblem(res, { title: "Invalid credential header", status: 400, detail: user.message });
    }
    // Accepted: the user's credential is scrubbed from what this request produces, and only that.
    const redaction = user ? scopedRedactor(user.value) : undefined;
    return withRedactionScope(redaction, () => run(req, res, url, compiled, pathArgs, user));
  };

  const run = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    compiled: CompiledRoute,
    pathArgs: Record<string, string>,
    user: UserCredential | undefined,
  ): Promise<void> => {
    if (unconfirmable(compiled)) {
      return sendProblem(res, {
        type: `${PROBLEM_BASE}confirmation-required`,
        title: "Confirmation required",
        status: 403,
        detail: confirmDetail(compiled),
        tool: compiled.tool.name,
      });
    }
    // A websocket route without an Upgrade runs the same tool as a plain call (e.g. a one-shot
    // exec); any stream session it opens is closed when the response is sent.
    const aborter = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) aborter.abort();
    });
    let leased: ClientLease | undefined;
    const sessions = new SessionRegistry(sessionLimits);
    try {
      const parsed = await parseRequest(req, compiled, pathArgs, url, req.method !== "GET" && req.method !== "DELETE");
      if (!parsed.ok) {
        return sendProblem(res, { ...parsed.problem, title: String(parsed.problem.title), status: parsed.status });
      }
      const data = await invokeTool(compiled.tool, parsed.args, {
        getClient: () => {
          leased ??= lease(compiled.vendor, user);
          return leased.client;
        },
        sessions,
        signal: aborter.signal,
      });
      if (data.isError) {
        return sendProblem(res, {
          type: `${PROBLEM_BASE}tool-error`,
          title: "Tool reported an error",
          status: 422,
          detail: redactor.redact(data.text),
          ...(data.structured ? { result: data.structured } : {}),
        });
      }
      sendJson(res, 200, data.structured ?? { text: data.text });
    } catch (error) {
      problem(res, error, compiled.tool);
    } finally {
      await sessions.closeAll();
      await leased?.release().catch(() => {});
    }
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer, access?: RequestAccess): Promise<void> => {
    socket.on("error", () => {});
    if (closing) return refuseUpgrade(socket, 503, "Shutting down");
    const url = new URL(req.url ?? "/", "http://rest.invalid");
    let match: ReturnType<typeof matchRoute>;
    try {
      match = matchRoute(routes, "GET", url.pathname);
    } catch (error) {
      return refuseUpgrade(socket, 400, "Invalid path", errorText(error));
    }
    const open = match.kind === "match" ? match.route.route.openUpstreamSocket : undefined;
    if (match.kind !== "match" || !open) {
      return refuseUpgrade(socket, 404, "Not found", `No websocket route at ${url.pathname}.`);
    }
    const compiled = match.route;
    if (access?.readOnly && !compiled.tool.annotations.readOnlyHint) {
      const p = insufficientScope(compiled.tool.name);
      return refuseUpgrade(socket, 403, p.title, p.detail, access.insufficientScope());
    }
    if (unconfirmable(compiled)) return refuseUpgrade(socket, 403, "Confirmation required", confirmDetail(compiled));
    const parsed = await parseRequest(req, compiled, match.pathArgs, url, false).catch((error: unknown) => ({
      ok: false as const,
      status: httpStatusFor(error),
      problem: { title: "Invalid request", detail: errorText(error) },
    }));
    if (!parsed.ok) {
      return refuseUpgrade(socket, parsed.status, String(parsed.problem.title), String(parsed.problem.detail ?? ""));
    }
    const user = userCredential(compiled.vendor, req, env);
    if (user instanceof CredentialHeaderError)
      return refuseUpgrade(socket, 400, "Invalid credential header", user.message);
    const redaction = user ? scopedRedactor(user.value) : undefined;
    return withRedactionScope(redaction, () =>
      bridge(req, socket, head, url, compiled, open, parsed.args, user, redaction),
    );
  };

  const bridge = async (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    compiled: CompiledRoute,
    open: NonNullable<CompiledRoute["route"]["openUpstreamSocket"]>,
    args: unknown,
    user: UserCredential | undefined,
    redaction: Redactor | undefined,
  ): Promise<void> => {
    const aborter = new AbortController();
    const onGone = () => aborter.abort();
    socket.once("close", onGone);
    let leased: ClientLease | undefined;
    const sessions = new SessionRegistry(sessionLimits);
    let upstream: WebSocket;
    try {
      const ctx: ToolContext<unknown> = {
        get client() {
          leased ??= lease(compiled.vendor, user);
          return leased.client;
        },
        sessions,
        signal: aborter.signal,
        progress: async () => {},
      };
      upstream = await open.call(compiled.route, args, ctx);
    } catch (error) {
      await leased?.release().catch(() => {});
      await sessions.closeAll();
      return refuseUpgrade(socket, statusForRefusal(error), titleFor(error), errorText(error));
    } finally {
      socket.off("close", onGone);
    }
    const early = holdUpstream(upstream);
    if (aborter.signal.aborted || closing) {
      upstream.terminate();
      await leased?.release().catch(() => {});
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      const bridge = bridgeWebSockets(client, upstream, {
        early,
        // Frames from the upstream are scrubbed like any other output (a shell echoing an
        // environment variable), text and binary, of the process' secrets and this user's own.
        secrets: () => withRedactionScope(redaction, () => redactor.secretBytes()),
        ...(options.highWaterMark ? { highWaterMark: options.highWaterMark } : {}),
      });
      bridges.add(bridge);
      // connectWebSocket returns sockets paused (early frames are not lost); frames flow from here on.
      upstream.resume();
      log.info("websocket passthrough opened", { tool: compiled.tool.name, path: url.pathname });
      void bridge.done.then(async (stats) => {
        bridges.delete(bridge);
        await sessions.closeAll();
        await leased?.release().catch(() => {});
        log.info("websocket passthrough closed", { tool: compiled.tool.name, ...stats });
      });
    });
  };

  return {
    routes,
    bridges,
    handle,
    upgrade,
    async close() {
      closing = true;
      const open = [...bridges];
      for (const b of open) b.close(1001, "server shutting down");
      await Promise.race([Promise.all(open.map((b) => b.done)), new Promise((r) => setTimeout(r, 2_500).unref())]);
      wss.close();
      for (const [vendor, client] of shared) await vendor.closeClient?.(client)?.catch(() => {});
      shared.clear();
    },
  };
}

function ownFilters(
  vendors: readonly VendorDefinition<unknown>[],
  options: ToolFilter,
): Map<VendorDefinition<unknown>, ToolFilter> {
  const split = splitToolsets(vendors, options.toolsets);
  const { readOnly, disableDestructive, confirmDestructive, allow } = options;
  const common: ToolFilter = {
    ...(readOnly ? { readOnly } : {}),
    ...(disableDestructive ? { disableDestructive } : {}),
    ...(confirmDestructive ? { confirmDestructive } : {}),
    ...(allow ? { allow } : {}),
  };
  return new Map(
    vendors.map((vendor) => {
      const toolsets = split.get(vendor.name);
      return [vendor, { ...common, ...(toolsets ? { toolsets } : {}) }];
    }),
  );
}

function insufficientScope(tool: string) {
  return {
    type: `${PROBLEM_BASE}insufficient-scope`,
    title: "Insufficient scope",
    status: 403,
    error: "insufficient_scope",
    detail: `The tool "${tool}" changes things and your access token grants read-only access; sign in with the write scope.`,
    tool,
  };
}

/** The request's own credential header, the refusal of an unusable one, or undefined. */
function userCredential(
  vendor: VendorDefinition<unknown>,
  req: IncomingMessage,
  env: Env = process.env,
): UserCredential | CredentialHeaderError | undefined {
  try {
    return credentialOverride(vendor, req.headers, env);
  } catch (error) {
    if (error instanceof CredentialHeaderError) return error;
    throw error;
  }
}

function zodProblem(error: z.ZodError): Record<string, unknown> {
  const errors = error.issues.map((i) => ({ field: i.path.length ? i.path.join(".") : "(root)", message: i.message }));
  return {
    type: `${PROBLEM_BASE}invalid-input`,
    title: "Invalid argument",
    detail: redactor.redact(errors.map((e) => `Invalid argument "${e.field}": ${e.message}`).join("; ")),
    field: errors[0]?.field,
    errors: redactor.redactValue(errors),
  };
}

function titleFor(error: unknown): string {
  if (error instanceof ConfigError) return "Server configuration error";
  if (error instanceof InputError) return "Invalid argument";
  if (error instanceof InfraMcpError) {
    const status = httpStatusFor(error);
    return http.STATUS_CODES[status] ?? "Upstream error";
  }
  if (error instanceof z.ZodError) return "Invalid argument";
  return "Internal error";
}

function statusForRefusal(error: unknown): number {
  if (error instanceof z.ZodError) return 400;
  return httpStatusFor(error);
}

function problem(res: ServerResponse, error: unknown, tool?: AnyTool<unknown>): void {
  if (error instanceof BodyTooLargeError) {
    sendProblem(res, { title: "Payload too large", status: 413, detail: error.message }, { connection: "close" });
    return;
  }
  if (error instanceof z.ZodError) {
    const z400 = zodProblem(error);
    sendProblem(res, { ...z400, title: String(z400.title), status: 400 });
    return;
  }
  const status = httpStatusFor(error);
  if (!(error instanceof InfraMcpError)) {
    log.error("REST tool failed unexpectedly", {
      tool: tool?.name,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  sendProblem(res, {
    type: `${PROBLEM_BASE}${error instanceof InfraMcpError ? error.code.toLowerCase().replace(/_/g, "-") : "internal"}`,
    title: titleFor(error),
    status,
    detail: errorText(error),
    ...(error instanceof InfraMcpError ? { code: error.code } : {}),
    ...(error instanceof InputError ? { field: error.field } : {}),
    ...(tool ? { tool: tool.name } : {}),
  });
}
