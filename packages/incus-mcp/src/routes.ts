import { type AnyTool, ConfigError, type RestRoute } from "@infra-mcp/core";
import type { IncusClient } from "./config.js";
import { type EventFilter, openEventsSocket } from "./events.js";

const instance = { name: "instance" };

/**
 * REST routes (seed style: `/v1` + the Incus path, dots as dashes) of the instance, file,
 * snapshot, event and remote tools, by tool name. Incus has one `PUT …/state` for five tools and
 * no path of its own for a restore, so those get a suffix, as the seed does for its twins
 * (`wait-public`).
 */
export const routes: Record<string, RestRoute<IncusClient, never>[]> = {
  "list-remotes": [{ method: "GET", path: "/v1/remotes" }],
  "get-instance-state": [{ method: "GET", path: "/v1/1-0/instances/{name}/state", pathArgs: instance }],
  "start-instance": [
    { method: "PUT", path: "/v1/1-0/instances/{name}/state-start", pathArgs: instance, body: "merge" },
  ],
  "stop-instance": [{ method: "PUT", path: "/v1/1-0/instances/{name}/state-stop", pathArgs: instance, body: "merge" }],
  "restart-instance": [
    { method: "PUT", path: "/v1/1-0/instances/{name}/state-restart", pathArgs: instance, body: "merge" },
  ],
  "freeze-instance": [
    { method: "PUT", path: "/v1/1-0/instances/{name}/state-freeze", pathArgs: instance, body: "merge" },
  ],
  "unfreeze-instance": [
    { method: "PUT", path: "/v1/1-0/instances/{name}/state-unfreeze", pathArgs: instance, body: "merge" },
  ],
  "list-instance-logs": [{ method: "GET", path: "/v1/1-0/instances/{name}/logs", pathArgs: instance }],
  "get-instance-log": [
    { method: "GET", path: "/v1/1-0/instances/{name}/logs/{filename}", pathArgs: { ...instance, filename: "file" } },
  ],
  "get-console-log": [{ method: "GET", path: "/v1/1-0/instances/{name}/console", pathArgs: instance }],
  "pull-file": [{ method: "GET", path: "/v1/1-0/instances/{name}/files", pathArgs: instance }],
  "push-file": [{ method: "POST", path: "/v1/1-0/instances/{name}/files", pathArgs: instance, body: "merge" }],
  "delete-file": [{ method: "DELETE", path: "/v1/1-0/instances/{name}/files", pathArgs: instance }],
  "list-snapshots": [{ method: "GET", path: "/v1/1-0/instances/{name}/snapshots", pathArgs: instance }],
  "create-snapshot": [
    { method: "POST", path: "/v1/1-0/instances/{name}/snapshots", pathArgs: instance, body: "merge" },
  ],
  "restore-snapshot": [
    {
      method: "PUT",
      path: "/v1/1-0/instances/{name}/snapshots/{snapshot}/restore",
      pathArgs: instance,
      body: "merge",
    },
  ],
  "delete-snapshot": [{ method: "DELETE", path: "/v1/1-0/instances/{name}/snapshots/{snapshot}", pathArgs: instance }],
  "open-events-session": [
    {
      method: "GET",
      path: "/v1/1-0/events",
      websocket: true,
      // Upgrade passthrough: the daemon's event websocket, credential applied here.
      openUpstreamSocket: (args: EventFilter, ctx) => openEventsSocket(ctx.client, args, ctx.signal),
    } as RestRoute<IncusClient, never>,
  ],
};

/** Attaches `routes` to the tools they name; a route for a tool that is not in the table is a mistake. */
export function withRoutes(
  tools: readonly AnyTool<IncusClient>[],
  table: Record<string, RestRoute<IncusClient, never>[]>,
): AnyTool<IncusClient>[] {
  const names = new Set(tools.map((t) => t.name));
  const stray = Object.keys(table).filter((n) => !names.has(n));
  if (stray.length) throw new ConfigError(`REST routes name unknown tools: ${stray.join(", ")}`);
  return tools.map((t) => (table[t.name] ? { ...t, rest: [...(t.rest ?? []), ...(table[t.name] ?? [])] } : t));
}
