import http from "node:http";
import type { Duplex } from "node:stream";
import type { Env } from "../base/credentials.js";
import { ConfigError } from "../base/errors.js";
import { exitOnShutdown } from "../base/lifecycle.js";
import { log } from "../base/logger.js";
import { coreSetting } from "../base/settings.js";
import { observeRefusal } from "../observe/observer.js";
import type { ConfirmPolicy } from "../tools/confirm-policy.js";
import { selectTools, type ToolFilter } from "../tools/select.js";
import { splitToolsets } from "../tools/toolsets.js";
import type { VendorDefinition } from "../tools/vendor.js";
import {
  authorize,
  health,
  INSTANCE_HEADER,
  listen,
  metadataRequest,
  pathOf,
  REFUSED,
  refusalReason,
  refuse,
  titleOf,
} from "./front-door.js";
import { McpHttpEndpoint, sessionCounts } from "./http/endpoint.js";
import type { RestSurface } from "./rest/index.js";
import { guardFromEnv } from "./shared/guard.js";
import { limitsFromEnv, type NetworkLimits, resolveLimits } from "./shared/limits.js";
import type { OAuthResourceServer, RequestAccess } from "./shared/oauth.js";
import { refuseUpgrade, sendProblem } from "./shared/problem.js";

export interface NetworkOptions {
  /** Serve MCP over Streamable HTTP. */
  http: boolean;
  port: number;
  host: string;
  /** Serve the REST surface of the tools' `rest` routes. */
  rest: boolean;
  restPort: number;
  stateless: boolean;
  readOnly?: boolean;
  /** No destructiveHint tool (MCP and REST). */
  disableDestructive?: boolean;
  /** MCP asks the user before destructive calls; REST refuses destructive routes (it cannot ask). */
  confirmDestructive?: boolean;
  /** --confirm: MCP asks the user before these calls; REST refuses their routes. */
  confirm?: ConfirmPolicy | undefined;
  /** --show-env-values: environment values in results shown unmasked. */
  showEnvValues?: boolean;
  /** --tools: honoured when one vendor is served (tool names are not unique across vendors). */
  tools?: string[] | undefined;
  /** --toolsets entries: `all`, a bare name (every vendor that has it) or `<vendor>:<toolset>`. */
  toolsets?: string[] | undefined;
  /** The environment the entry read: credentials and MCP_HTTP_* settings (none when absent). */
  env?: Env;
  /** Overrides MCP_HTTP_MAX_BODY_BYTES / MCP_HTTP_MAX_SESSIONS(_PER_CLIENT) / MCP_HTTP_SESSION_IDLE_SECONDS. */
  limits?: Partial<NetworkLimits>;
  /** "root": one vendor at /mcp. "prefixed": each vendor at /<name without -mcp>/mcp (the gateway). */
  mount?: "root" | "prefixed";
  /** Install SIGTERM/SIGINT handlers that shut down and exit (default true). */
  handleSignals?: boolean;
  /** After the servers close on SIGTERM/SIGINT, before the exit: the audit log's close, the tracer's flush. */
  afterShutdown?: () => Promise<void>;
  /**
   * Replica id (default MCP_INSTANCE_ID): shown in serverInfo.version as `<version>+<id>` and sent
   * as the `X-MCP-Instance` response header, so a client behind a load balancer can tell replicas apart.
   */
  instanceId?: string;
  /** Header carrying a proxy's routing key (default MCP_SESSION_ID_HEADER); see McpEndpointOptions. */
  sessionIdHeader?: string;
}

export interface NetworkHandle {
  /** MCP endpoint URLs by vendor name. */
  mcpUrls: Record<string, string>;
  httpPort?: number;
  restPort?: number;
  restUrl?: string;
  /** The REST surface (routes, open websocket bridges), when --rest. */
  rest?: RestSurface;
  endpoints: McpHttpEndpoint<unknown>[];
  /** Stop accepting, end MCP sessions and upstream streams, close the listeners. */
  close(): Promise<void>;
}

/** MCP_INSTANCE_ID: letters, digits, `.` and `-` (semver build metadata; a pod name fits), ≤ 64. */
export function instanceIdFromEnv(env: Env): string | undefined {
  return coreSetting("MCP_INSTANCE_ID", env);
}

/**
 * MCP_SESSION_ID_HEADER: a header name, e.g. x-request-id, whose value at initialize is recorded
 * as the new session id's routing prefix (set only behind a proxy that writes it).
 */
export function sessionIdHeaderFromEnv(env: Env): string | undefined {
  return coreSetting("MCP_SESSION_ID_HEADER", env)?.toLowerCase();
}

export function mountPath(vendor: VendorDefinition<unknown>, mount: "root" | "prefixed"): string {
  return mount === "root" ? "/mcp" : `/${vendor.name.replace(/-mcp$/, "")}/mcp`;
}

/**
 * Starts the MCP HTTP listener and/or the REST listener for one or more vendors, with the same
 * guard (Host/Origin, bearer token, body cap) on both. Resolves once listening.
 */
export async function serveNetwork(
  vendors: readonly VendorDefinition<unknown>[],
  opts: NetworkOptions,
): Promise<NetworkHandle> {
  const env = opts.env ?? {};
  if (vendors.length === 0) throw new ConfigError("No vendor to serve.");
  const mount = opts.mount ?? (vendors.length === 1 ? "root" : "prefixed");
  if (mount === "root" && vendors.length > 1) throw new ConfigError('mount "root" serves exactly one vendor.');
  const oauth = await oauthFromEnv(env, vendors, mount);
  const guard = guardFromEnv(opts.host, env, { oauth: oauth !== undefined });
  const limits = resolveLimits({ ...limitsFromEnv(env), ...opts.limits });
  const instanceId = opts.instanceId ?? instanceIdFromEnv(env);
  const sessionIdHeader = opts.sessionIdHeader ?? sessionIdHeaderFromEnv(env);
  const allow = vendors.length === 1 ? opts.tools : undefined;
  const filters = toolFilters(vendors, opts, allow);
  const closers: (() => Promise<void>)[] = [];
  const handle: NetworkHandle = {
    mcpUrls: {},
    endpoints: [],
    close: async () => {
      for (const c of closers.splice(0).reverse()) await c().catch(() => {});
    },
  };
  const shown = opts.host.includes(":") ? `[${opts.host}]` : opts.host;

  try {
    if (opts.http) {
      const routes = new Map<string, McpHttpEndpoint<unknown>>();
      for (const vendor of vendors) {
        const endpoint = new McpHttpEndpoint(vendor, {
          ...filters.get(vendor),
          limits,
          stateless: opts.stateless,
          env,
          ...(instanceId ? { instanceId } : {}),
          ...(sessionIdHeader ? { sessionIdHeader } : {}),
        });
        routes.set(mountPath(vendor, mount), endpoint);
        handle.endpoints.push(endpoint);
      }
      const server = http.createServer((req, res) => {
        if (instanceId) res.setHeader(INSTANCE_HEADER, instanceId);
        const path = pathOf(req);
        if (path === "/healthz") {
          return health(req, res, guard, oauth, () => ({ sessions: sessionCounts(routes.values()) }));
        }
        if (oauth && metadataRequest(req, res, path, guard, oauth)) return;
        const verdict = guard.check(req);
        if (!verdict.ok) return refuse(res, verdict);
        const endpoint = routes.get(path);
        authorize(req, res, oauth, endpoint ? path : undefined)
          .then((access) => {
            if (access === REFUSED) return;
            if (!endpoint) {
              return sendProblem(res, {
                title: "Not found",
                status: 404,
                detail: `No MCP endpoint at ${path}; try ${[...routes.keys()].join(", ")}.`,
              });
            }
            return endpoint.handle(req, res, access);
          })
          .catch((error: unknown) => {
            log.error("MCP HTTP request failed", { error: error instanceof Error ? error.message : String(error) });
            if (!res.headersSent) sendProblem(res, { title: "Internal error", status: 500 });
            else res.end();
          });
      });
      const port = await listen(server, opts.port, opts.host);
      handle.httpPort = port;
      for (const [path, endpoint] of routes) handle.mcpUrls[endpoint.vendor.name] = `http://${shown}:${port}${path}`;
      closers.push(async () => {
        server.close();
        await Promise.all(handle.endpoints.map((e) => e.close()));
        server.closeAllConnections();
      });
      log.info("MCP over Streamable HTTP", {
        urls: Object.values(handle.mcpUrls),
        stateless: opts.stateless,
        auth: oauth ? "oauth" : guard.requiresToken ? "bearer" : "none (loopback only)",
      });
    }

    if (opts.rest) {
      const { createRestSurface } = await import("./rest/index.js");
      const surface: RestSurface = createRestSurface(vendors, {
        limits,
        filters,
        env,
      });
      const server = http.createServer((req, res) => {
        if (instanceId) res.setHeader(INSTANCE_HEADER, instanceId);
        const path = pathOf(req);
        if (path === "/healthz") return health(req, res, guard, oauth, () => ({ routes: surface.routes.length }));
        if (oauth && metadataRequest(req, res, path, guard, oauth)) return;
        const verdict = guard.check(req);
        if (!verdict.ok) return refuse(res, verdict);
        authorize(req, res, oauth, undefined)
          .then((access) => (access === REFUSED ? undefined : surface.handle(req, res, access)))
          .catch((error: unknown) => {
            log.error("REST request failed", { error: error instanceof Error ? error.message : String(error) });
            sendProblem(res, { title: "Internal error", status: 500 });
          });
      });
      server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on("error", () => {});
        const verdict = guard.check(req);
        if (!verdict.ok) observeRefusal({ transport: "rest", reason: refusalReason(verdict.status ?? 403) });
        if (!verdict.ok)
          return refuseUpgrade(socket, verdict.status ?? 403, verdict.title ?? "Forbidden", verdict.detail);
        (async () => {
          let access: RequestAccess | undefined;
          if (oauth) {
            const auth = await oauth.authenticate(req);
            if (!auth.ok) {
              const r = auth.refusal;
              observeRefusal({ transport: "rest", reason: refusalReason(r.status), status: r.status });
              return refuseUpgrade(socket, r.status, titleOf(r), r.description, r.headers);
            }
            access = auth.access;
          }
          await surface.upgrade(req, socket, head, access);
        })().catch((error: unknown) => {
          log.error("websocket passthrough failed", { error: error instanceof Error ? error.message : String(error) });
          socket.destroy();
        });
      });
      const port = await listen(server, opts.restPort, opts.host);
      handle.restPort = port;
      handle.rest = surface;
      handle.restUrl = `http://${shown}:${port}`;
      closers.push(async () => {
        server.close();
        await surface.close();
        server.closeAllConnections();
      });
      log.info("REST surface", { url: handle.restUrl, routes: surface.routes.length });
    }
  } catch (error) {
    await handle.close();
    throw error;
  }

  if (opts.handleSignals !== false) exitOnShutdown(() => handle.close().finally(() => opts.afterShutdown?.()));
  return handle;
}

/**
 * Each vendor's tool filter (the same for MCP and REST, so both serve the same tools), checked
 * here so a bad --tools or --toolsets refuses to start instead of failing each session.
 */
function toolFilters(
  vendors: readonly VendorDefinition<unknown>[],
  opts: NetworkOptions,
  allow: readonly string[] | undefined,
): Map<VendorDefinition<unknown>, ToolFilter> {
  const split = splitToolsets(vendors, opts.toolsets);
  const out = new Map<VendorDefinition<unknown>, ToolFilter>();
  for (const vendor of vendors) {
    const toolsets = split.get(vendor.name);
    const filter: ToolFilter = {
      ...(opts.readOnly ? { readOnly: true } : {}),
      ...(opts.disableDestructive ? { disableDestructive: true } : {}),
      ...(opts.confirmDestructive ? { confirmDestructive: true } : {}),
      ...(opts.confirm ? { confirm: opts.confirm } : {}),
      ...(opts.showEnvValues ? { showEnvValues: true } : {}),
      ...(allow ? { allow } : {}),
      ...(toolsets ? { toolsets } : {}),
    };
    selectTools(vendor.tools, filter, vendor.toolsets);
    out.set(vendor, filter);
  }
  return out;
}

/** MCP_OAUTH_*: the resource server, or undefined when OAuth is not configured (loaded only then). */
async function oauthFromEnv(
  env: Env,
  vendors: readonly VendorDefinition<unknown>[],
  mount: "root" | "prefixed",
): Promise<OAuthResourceServer | undefined> {
  // Any MCP_OAUTH_* variable loads the module, so a stray one without the issuer is named, not ignored.
  if (!Object.keys(env).some((k) => k.startsWith("MCP_OAUTH_") && env[k]?.trim())) return undefined;
  const { OAuthResourceServer, oauthSettingsFromEnv } = await import("./shared/oauth.js");
  const settings = oauthSettingsFromEnv(env);
  if (!settings) return undefined;
  const server = new OAuthResourceServer(settings, {
    resourceName: vendors.length === 1 ? (vendors[0]?.title ?? "infra-mcp") : "infra-mcp gateway",
    mountPaths: vendors.map((v) => mountPath(v, mount)),
  });
  void server.prepare();
  return server;
}
