import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Env } from "../../base/credentials.js";
import { sessionLimitsFromEnv } from "../../streams/sessions.js";
import { selectTools, sharedSwitchesOf, type ToolFilter } from "../../tools/select.js";
import { splitToolsets } from "../../tools/toolsets.js";
import type { VendorDefinition } from "../../tools/vendor.js";
import { type NetworkLimits, resolveLimits } from "../shared/limits.js";
import type { RequestAccess } from "../shared/oauth.js";
import { RestContext } from "./context.js";
import type { Bridge } from "./passthrough.js";
import { handleRequest } from "./request.js";
import { type CompiledRoute, compileRoutes } from "./routes.js";
import { handleUpgrade } from "./upgrade.js";

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

export function createRestSurface(
  vendors: readonly VendorDefinition<unknown>[],
  options: RestOptions = {},
): RestSurface {
  const env = options.env ?? {};
  const filters = options.filters ?? ownFilters(vendors, options);
  const routes = compileRoutes(
    vendors.map((vendor) => ({
      vendor,
      tools: selectTools(vendor.tools, filters.get(vendor) ?? {}, vendor.toolsets).filter((t) => !t.usesSessions),
    })),
  );
  const ctx = new RestContext({
    routes,
    env,
    limits: resolveLimits(options.limits),
    sessionLimits: sessionLimitsFromEnv(env),
    filters,
    highWaterMark: options.highWaterMark,
  });
  return {
    routes,
    bridges: ctx.bridges,
    handle: (req, res, access) => handleRequest(ctx, req, res, access),
    upgrade: (req, socket, head, access) => handleUpgrade(ctx, req, socket, head, access),
    async close() {
      ctx.closing = true;
      const open = [...ctx.bridges];
      for (const b of open) b.close(1001, "server shutting down");
      await Promise.race([Promise.all(open.map((b) => b.done)), new Promise((r) => setTimeout(r, 2_500).unref())]);
      ctx.wss.close();
      await ctx.closeClients();
    },
  };
}

function ownFilters(
  vendors: readonly VendorDefinition<unknown>[],
  options: ToolFilter,
): Map<VendorDefinition<unknown>, ToolFilter> {
  const split = splitToolsets(vendors, options.toolsets);
  const common = sharedSwitchesOf(options);
  return new Map(
    vendors.map((vendor) => {
      const toolsets = split.get(vendor.name);
      return [vendor, { ...common, ...(toolsets ? { toolsets } : {}) }];
    }),
  );
}
