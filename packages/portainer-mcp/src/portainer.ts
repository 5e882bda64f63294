import {
  CancelledError,
  connectWebSocket,
  encodePathSegment,
  InputError,
  UpstreamHttpError,
  type WebSocket,
} from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";

/** Portainer's websocket bridges read at most 2048 bytes per client frame. */
export const FRAME_LIMIT = 2048;

export type BridgeKind = "exec" | "attach" | "pod" | "kubernetes-shell";

/** `/api/endpoints/{id}/docker/<rest>`: Portainer's proxy to the environment's Docker API. */
export function dockerPath(endpointId: number, rest: string): string {
  return `/api/endpoints/${encodePathSegment("endpointId", endpointId)}/docker/${rest}`;
}

export interface ExecSpec {
  cmd: string[];
  tty: boolean;
  attachStdin: boolean;
  user?: string | undefined;
  workingDir?: string | undefined;
  env?: string[] | undefined;
}

export async function createExec(
  client: PortainerClient,
  endpointId: number,
  containerId: string,
  spec: ExecSpec,
  signal: AbortSignal,
): Promise<string> {
  const body: Record<string, unknown> = {
    AttachStdin: spec.attachStdin,
    AttachStdout: true,
    AttachStderr: true,
    Tty: spec.tty,
    Cmd: spec.cmd,
  };
  if (spec.user) body.User = spec.user;
  if (spec.workingDir) body.WorkingDir = spec.workingDir;
  if (spec.env?.length) body.Env = spec.env;
  const res = await client.http.json<{ Id?: string }>({
    method: "POST",
    path: dockerPath(endpointId, `containers/${encodePathSegment("containerId", containerId)}/exec`),
    body,
    signal,
  });
  if (!res?.Id) throw new UpstreamHttpError("POST", "exec create", 502, "Portainer returned no exec Id");
  return res.Id;
}

export interface ExecState {
  running: boolean;
  exitCode: number | null;
  containerId?: string;
  tty?: boolean;
}

export async function inspectExec(
  client: PortainerClient,
  endpointId: number,
  execId: string,
  signal?: AbortSignal,
): Promise<ExecState> {
  const res = await client.http.json<{
    Running?: boolean;
    ExitCode?: number | null;
    ContainerID?: string;
    ProcessConfig?: { tty?: boolean };
  }>({ method: "GET", path: dockerPath(endpointId, `exec/${encodePathSegment("execId", execId)}/json`), signal });
  return {
    running: Boolean(res?.Running),
    exitCode: typeof res?.ExitCode === "number" ? res.ExitCode : null,
    ...(res?.ContainerID ? { containerId: res.ContainerID } : {}),
    ...(res?.ProcessConfig?.tty !== undefined ? { tty: res.ProcessConfig.tty } : {}),
  };
}

/**
 * The websocket never carries the exit code: read it from exec inspect. Docker flips Running to
 * false a moment after the stream ends, so poll briefly.
 */
export async function waitExitCode(
  client: PortainerClient,
  endpointId: number,
  execId: string,
  graceMs: number,
  signal?: AbortSignal,
): Promise<ExecState> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const state = await inspectExec(client, endpointId, execId, signal);
    if (!state.running || Date.now() >= deadline) return state;
    if (signal?.aborted) throw new CancelledError("Waiting for the exit code");
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ContainerInfo {
  id: string;
  name: string;
  tty: boolean;
  running: boolean;
}

export async function inspectContainer(
  client: PortainerClient,
  endpointId: number,
  containerId: string,
  signal: AbortSignal,
): Promise<ContainerInfo> {
  const res = await client.http.json<{
    Id: string;
    Name?: string;
    Config?: { Tty?: boolean };
    State?: { Running?: boolean };
  }>({
    method: "GET",
    path: dockerPath(endpointId, `containers/${encodePathSegment("id", containerId)}/json`),
    signal,
  });
  return {
    id: res.Id,
    name: (res.Name ?? "").replace(/^\//, ""),
    tty: Boolean(res.Config?.Tty),
    running: Boolean(res.State?.Running),
  };
}

/** Resize is REST, not in-band: exec and container have their own endpoints. */
export async function resizeTty(
  client: PortainerClient,
  endpointId: number,
  target: { execId: string } | { containerId: string },
  cols: number,
  rows: number,
): Promise<void> {
  const rest =
    "execId" in target
      ? `exec/${encodePathSegment("execId", target.execId)}/resize`
      : `containers/${encodePathSegment("containerId", target.containerId)}/resize`;
  await client.http.request({
    method: "POST",
    path: dockerPath(endpointId, rest),
    query: { h: String(rows), w: String(cols) },
    retry: false,
  });
}

/** Opens `/api/websocket/<kind>` with the bound credential (X-API-Key header or ?token=). */
export function openBridge(
  client: PortainerClient,
  kind: BridgeKind,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<WebSocket> {
  return connectWebSocket(client.upstream, `/api/websocket/${kind}`, { query, signal });
}

/** Docker ids are hex; Portainer refuses anything else on its websocket routes. */
export function assertHexId(field: string, value: string): void {
  if (!/^[0-9a-fA-F]+$/.test(value)) throw new InputError(field, `must be a hexadecimal id, got "${value}"`);
}

/** `/api/endpoints/{id}/kubernetes/<rest>`: Portainer's proxy to the environment's Kubernetes API. */
export function kubernetesPath(endpointId: number, rest: string): string {
  return `/api/endpoints/${encodePathSegment("endpointId", endpointId)}/kubernetes/${rest}`;
}
