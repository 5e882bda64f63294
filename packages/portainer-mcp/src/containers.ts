import { encodePathSegment, UpstreamHttpError, UpstreamProtocolError } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";
import { dockerPath } from "./portainer.js";

/** `/api/endpoints/{id}/docker/containers/{cid}[/<action>]`: one container through Portainer's Docker proxy. */
export function containerPath(endpointId: number, containerId: string, action?: string): string {
  const base = dockerPath(endpointId, `containers/${encodePathSegment("containerId", containerId)}`);
  return action ? `${base}/${action}` : base;
}

/** A Docker 404 names the container; say where to find the right id or name. */
export function withContainerHint(error: unknown): unknown {
  if (error instanceof UpstreamHttpError && error.status === 404) {
    return new UpstreamHttpError(
      error.method,
      error.path,
      404,
      error.detail,
      "Check the container id or name (list-containers) and the endpointId (list-environments)",
    );
  }
  return error;
}

/** The parts of Docker's container inspect document the tools read (the rest is passed through). */
export interface ContainerDocument {
  Id: string;
  Name?: string;
  Created?: string;
  Image?: string;
  RestartCount?: number;
  Path?: string;
  Args?: string[];
  State?: {
    Status?: string;
    Running?: boolean;
    Paused?: boolean;
    Restarting?: boolean;
    OOMKilled?: boolean;
    Dead?: boolean;
    Pid?: number;
    ExitCode?: number;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status?: string; FailingStreak?: number; Log?: { ExitCode?: number; Output?: string; End?: string }[] };
  };
  Config?: {
    Tty?: boolean;
    Image?: string;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Labels?: Record<string, string> | null;
    WorkingDir?: string;
    User?: string;
  };
  HostConfig?: { RestartPolicy?: { Name?: string; MaximumRetryCount?: number }; NetworkMode?: string };
  Mounts?: { Type?: string; Name?: string; Source?: string; Destination?: string; Mode?: string; RW?: boolean }[];
  NetworkSettings?: {
    Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    Networks?: Record<string, { IPAddress?: string; Gateway?: string; MacAddress?: string }> | null;
  };
}

export async function inspectContainerDocument(
  client: PortainerClient,
  endpointId: number,
  containerId: string,
  signal: AbortSignal,
): Promise<ContainerDocument> {
  let doc: ContainerDocument;
  try {
    doc = await client.http.json<ContainerDocument>({
      method: "GET",
      path: containerPath(endpointId, containerId, "json"),
      signal,
    });
  } catch (error) {
    throw withContainerHint(error);
  }
  // Every reader of the document starts from its Id: a proxy or stand-in that answers 200 with
  // something else must be a clear error, not a TypeError deep in a formatter.
  if (typeof doc !== "object" || doc === null || typeof doc.Id !== "string") {
    throw new UpstreamProtocolError(
      `Container inspect of "${containerId}" answered without an Id: not a Docker inspect document.`,
    );
  }
  return doc;
}

export interface ContainerState {
  id: string;
  name: string;
  status: string;
  running: boolean;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  restartCount: number;
  health?: string;
  pid?: number;
  error?: string;
  oomKilled?: boolean;
}

const ZERO_TIME = /^0001-01-01/;

export function stateOf(doc: ContainerDocument): ContainerState {
  const s = doc.State ?? {};
  return {
    id: doc.Id,
    name: (doc.Name ?? "").replace(/^\//, ""),
    status: s.Status ?? "unknown",
    running: Boolean(s.Running),
    exitCode: typeof s.ExitCode === "number" ? s.ExitCode : null,
    startedAt: s.StartedAt && !ZERO_TIME.test(s.StartedAt) ? s.StartedAt : null,
    finishedAt: s.FinishedAt && !ZERO_TIME.test(s.FinishedAt) ? s.FinishedAt : null,
    restartCount: doc.RestartCount ?? 0,
    ...(s.Health?.Status ? { health: s.Health.Status } : {}),
    ...(s.Running && s.Pid ? { pid: s.Pid } : {}),
    ...(s.Error ? { error: s.Error } : {}),
    ...(s.OOMKilled ? { oomKilled: true } : {}),
  };
}

/** One line: "web (3f2a…) running since …" / "exited (137) at …". */
export function stateLine(state: ContainerState): string {
  const who = `${state.name || state.id.slice(0, 12)} (${state.id.slice(0, 12)})`;
  let what = state.status;
  if (state.running) what += state.startedAt ? ` since ${state.startedAt}` : "";
  else if (state.status === "exited" || state.status === "dead")
    what += ` with code ${state.exitCode}${state.finishedAt ? ` at ${state.finishedAt}` : ""}`;
  if (state.health) what += `, health ${state.health}`;
  if (state.oomKilled) what += ", OOM-killed";
  if (state.restartCount) what += `, ${state.restartCount} restart${state.restartCount === 1 ? "" : "s"}`;
  if (state.error) what += `, error: ${state.error}`;
  return `${who} ${what}`;
}

export type ContainerAction = "start" | "stop" | "restart" | "kill";

export interface ActionOutcome {
  /** false when Docker answered 304: the container already was in the asked-for state. */
  changed: boolean;
  state: ContainerState;
}

/**
 * POST /containers/{id}/<action> through the proxy, then inspect: the answer reports the state
 * the engine has after the call, not the one the action was meant to reach.
 */
export async function containerAction(
  client: PortainerClient,
  endpointId: number,
  containerId: string,
  action: ContainerAction,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
  waitSeconds = 0,
  /** Poll this long for a running container to stop (a signal other than SIGKILL is not waited for). */
  settleMs = 0,
): Promise<ActionOutcome> {
  let changed = true;
  try {
    await client.http.request({
      method: "POST",
      path: containerPath(endpointId, containerId, action),
      query,
      retry: false,
      // Docker answers stop/restart only after the grace period; the request must outlive it.
      timeoutMs: client.http.upstream.timeoutMs + waitSeconds * 1000,
      signal,
    });
  } catch (error) {
    // 304 Not Modified: already started (start) or already stopped (stop).
    if (error instanceof UpstreamHttpError && error.status === 304) changed = false;
    else throw withContainerHint(error);
  }
  let state = stateOf(await inspectContainerDocument(client, endpointId, containerId, signal));
  for (const until = Date.now() + settleMs; state.running && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 100));
    state = stateOf(await inspectContainerDocument(client, endpointId, containerId, signal));
  }
  return { changed, state };
}
