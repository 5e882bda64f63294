import type { AnyTool, RestRoute } from "@infra-mcp/core";
import type { QoveryClient } from "./config.js";
import { logsQuery, openGateway, resolveServiceIds, shellQuery } from "./gateway.js";

/**
 * REST surface routes (--rest) of the lifecycle, logs and shell tools, kept in one table by tool
 * name instead of in the tool files, so they can move to the vendor's route table as one block.
 * The two websocket routes bridge a client's Upgrade to Qovery's gateway: the ids are resolved
 * and the Authorization header is added here, so the client never holds the token.
 */
const container = (rest: string, method: "GET" | "POST" = "GET"): RestRoute => ({
  method,
  path: `/v1/container/{containerid}${rest}`,
  pathArgs: { containerid: "containerId" },
  ...(method === "POST" ? { body: "merge" } : {}),
});

// biome-ignore lint/suspicious/noExplicitAny: each hook gets its own tool's validated arguments
type Args = any;

export const ROUTES: Record<string, RestRoute<QoveryClient, Args>[]> = {
  "get-container": [container("")],
  "get-container-status": [container("/status")],
  "list-container-deployments": [container("/deploymenthistory")],
  "get-container-logs": [container("/log")],
  "deploy-container": [container("/deploy", "POST")],
  "redeploy-container": [container("/redeploy", "POST")],
  "restart-container": [container("/restart-service", "POST")],
  "stop-container": [container("/stop", "POST")],
  "get-service-logs": [
    {
      method: "GET",
      path: "/v1/service/logs",
      websocket: true,
      async openUpstreamSocket(args, ctx) {
        const ids = await resolveServiceIds(ctx.client, args.containerId, ctx.signal);
        return openGateway(ctx.client, "/service/logs", logsQuery(ids, args.pod), ctx.signal);
      },
    },
  ],
  "open-container-shell": [
    {
      method: "GET",
      path: "/v1/shell/exec",
      websocket: true,
      async openUpstreamSocket(args, ctx) {
        const ids = await resolveServiceIds(ctx.client, args.containerId, ctx.signal);
        // A raw client is a terminal of its own: a TTY unless it asks for 0x0.
        const spec = {
          command: args.command,
          pod: args.pod,
          container: args.container,
          cols: args.cols ?? 80,
          rows: args.rows ?? 24,
        };
        return openGateway(ctx.client, "/shell/exec", shellQuery(ids, spec), ctx.signal);
      },
    },
  ],
};

/** The tool with its REST routes from the table above. */
export function withRoutes<T extends AnyTool<QoveryClient>>(tool: T): T {
  const rest = ROUTES[tool.name];
  return rest ? { ...tool, rest } : tool;
}
