import { connectWebSocket, encodePathSegment, UpstreamProtocolError, type WebSocket } from "@infra-mcp/core";
import { withHint } from "./builder.js";
import type { QoveryClient } from "./config.js";
import { containerPath, NOT_FOUND } from "./lifecycle.js";

/**
 * Qovery's websocket gateway (QOVERY_WS_URL), as Qovery's CLI uses it: the ids go in the query
 * string (the spec file says "path"), the upgrade carries the same Authorization header as REST,
 * log messages are JSON text frames, shell output and stdin are binary frames, and the client
 * pings every 30 s and gives up after 75 s without a pong.
 */

/** The ids every gateway route needs, which the model never has to look up itself. */
export interface ServiceIds {
  organization: string;
  cluster: string;
  project: string;
  environment: string;
  service: string;
}

type Obj = Record<string, unknown>;
const idOf = (v: unknown): string | undefined => {
  const id = v && typeof v === "object" ? (v as Obj).id : undefined;
  return typeof id === "string" && id ? id : undefined;
};

/** container → its environment → organization, project and cluster (two REST reads). */
export async function resolveServiceIds(
  client: QoveryClient,
  containerId: string,
  signal?: AbortSignal,
): Promise<ServiceIds> {
  const container = await client.http
    .json<Obj>({ method: "GET", path: containerPath(containerId), signal })
    .catch((error: unknown) => Promise.reject(withHint(error, NOT_FOUND)));
  const environment = idOf(container?.environment);
  if (!environment) throw new UpstreamProtocolError("Qovery returned the container without its environment id");
  const env = await client.http
    .json<Obj>({ method: "GET", path: `/environment/${encodePathSegment("environment", environment)}`, signal })
    .catch((error: unknown) =>
      Promise.reject(withHint(error, { 404: `No environment ${environment} (the container's)` })),
    );
  const organization = idOf(env?.organization);
  const project = idOf(env?.project);
  const cluster = typeof env?.cluster_id === "string" ? env.cluster_id : undefined;
  if (!organization || !project || !cluster) {
    throw new UpstreamProtocolError(
      `Qovery returned environment ${environment} without its organization, project or cluster_id`,
    );
  }
  return { organization, cluster, project, environment, service: containerId };
}

export type GatewayPath = "/service/logs" | "/shell/exec";

/** Query of /service/logs: the CLI's five ids, plus the spec's optional pod filter. */
export function logsQuery(ids: ServiceIds, pod?: string): URLSearchParams {
  const q = new URLSearchParams({ ...ids });
  if (pod) q.set("pod_name", pod);
  return q;
}

export interface ShellSpec {
  command: readonly string[];
  pod?: string | undefined;
  container?: string | undefined;
  /** 0×0 asks for no TTY (like `kubectl exec -i`, what the CLI does when stdin is not a terminal). */
  cols: number;
  rows: number;
}

/** Query of /shell/exec: the ids, pod/container when given, `command` repeated per argument, the TTY size. */
export function shellQuery(ids: ServiceIds, spec: ShellSpec): URLSearchParams {
  const q = new URLSearchParams({ ...ids });
  if (spec.pod) q.set("pod_name", spec.pod);
  if (spec.container) q.set("container_name", spec.container);
  for (const arg of spec.command) q.append("command", arg);
  q.set("tty_width", String(spec.cols));
  q.set("tty_height", String(spec.rows));
  return q;
}

const GATEWAY_HINTS = {
  404: "The gateway does not serve this route or service; check QOVERY_WS_URL",
};

/** Opens a gateway route (returned paused, see connectWebSocket); a refused upgrade reads like a REST error. */
export async function openGateway(
  client: QoveryClient,
  path: GatewayPath,
  query: URLSearchParams,
  signal?: AbortSignal,
): Promise<WebSocket> {
  try {
    return await connectWebSocket(client.gateway, `${path}?${query}`, { signal });
  } catch (error) {
    throw withHint(error, GATEWAY_HINTS);
  }
}

/** What a close code from the gateway means (the CLI's reading of them), for the model. */
export function closeMeaning(code: number | undefined, reason = ""): { normal: boolean; text: string } {
  const why = reason ? `: ${reason}` : "";
  switch (code) {
    case 1000:
      return { normal: true, text: `the gateway ended the stream${why}` };
    case 1007:
    case 1008:
      return {
        normal: false,
        text: `the gateway refused access (close ${code}${why}); the token has no access to this service, or the service is unknown to the gateway`,
      };
    case 1011:
      return {
        normal: false,
        text: `the gateway could not reach the service's cluster (close 1011${why}); check that the cluster is running and retry`,
      };
    case undefined:
    case 1005:
    case 1006:
      return { normal: false, text: "the gateway dropped the connection without a close frame (1006)" };
    default:
      return { normal: false, text: `the gateway closed the connection (close ${code}${why})` };
  }
}

/** The CLI's liveness rule: ping every 30 s; no pong for 75 s means a dead connection. */
export const PING_MS = 30_000;
export const DEAD_MS = 75_000;

export function keepAlive(ws: WebSocket, pingMs = PING_MS, deadMs = DEAD_MS): { stop(): void; dead(): boolean } {
  let lastPong = Date.now();
  let isDead = false;
  const onPong = () => {
    lastPong = Date.now();
  };
  ws.on("pong", onPong);
  const timer = setInterval(() => {
    if (Date.now() - lastPong > deadMs) {
      isDead = true;
      ws.terminate();
      return;
    }
    if (ws.readyState === ws.OPEN) ws.ping();
  }, pingMs);
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    ws.off("pong", onPong);
  };
  ws.once("close", stop);
  return { stop, dead: () => isDead };
}

/**
 * The gateway's live log stream of one container (its ids resolved first): what get-service-logs
 * reads and what its REST upgrade route hands to the client.
 */
export async function openServiceLogs(
  client: QoveryClient,
  target: { containerId: string; pod?: string | undefined },
  signal?: AbortSignal,
): Promise<{ ids: ServiceIds; ws: WebSocket }> {
  const ids = await resolveServiceIds(client, target.containerId, signal);
  return { ids, ws: await openGateway(client, "/service/logs", logsQuery(ids, target.pod), signal) };
}

/** A command in one container through the gateway: what open-container-shell and its REST route open. */
export async function openShell(
  client: QoveryClient,
  containerId: string,
  spec: ShellSpec,
  signal?: AbortSignal,
): Promise<{ ids: ServiceIds; ws: WebSocket }> {
  const ids = await resolveServiceIds(client, containerId, signal);
  return { ids, ws: await openGateway(client, "/shell/exec", shellQuery(ids, spec), signal) };
}

/**
 * The shell as the REST websocket route opens it: a raw client is a terminal of its own, so a TTY
 * (80×24) unless it asks for 0×0.
 */
export async function openShellSocket(
  client: QoveryClient,
  args: Omit<ShellSpec, "cols" | "rows"> & {
    containerId: string;
    cols?: number | undefined;
    rows?: number | undefined;
  },
  signal?: AbortSignal,
): Promise<WebSocket> {
  const { containerId, cols, rows, command, pod, container } = args;
  return (await openShell(client, containerId, { command, pod, container, cols: cols ?? 80, rows: rows ?? 24 }, signal))
    .ws;
}
