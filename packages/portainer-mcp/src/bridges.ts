import { InputError, type WebSocket } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";
import { assertHexId, type ContainerInfo, createExec, inspectContainer, openBridge } from "./portainer.js";

/**
 * One opener per Portainer websocket bridge. A streaming tool's handler and its REST upgrade
 * route (its line in src/tools/index.ts) both open their upstream here, so the two cannot drift apart.
 */

/** Where an exec runs: an existing execId, or a new exec of `command` in `containerId`. */
export interface ExecTarget {
  endpointId: number;
  containerId?: string | undefined;
  command?: string[] | undefined;
  execId?: string | undefined;
  tty: boolean;
  user?: string | undefined;
  workingDir?: string | undefined;
  env?: string[] | undefined;
  nodeName?: string | undefined;
}

export interface ExecCreate {
  attachStdin: boolean;
  /** Rewrites the argv before the exec is created (a one-shot run wraps it in sh -c). */
  cmd?: (argv: string[]) => string[];
}

/** Creates the exec (unless execId names one) and opens /api/websocket/exec on it. */
export async function openExecBridge(
  client: PortainerClient,
  target: ExecTarget,
  create: ExecCreate,
  signal: AbortSignal,
): Promise<{ execId: string; ws: WebSocket }> {
  let execId = target.execId;
  if (execId) assertHexId("execId", execId);
  else {
    if (!target.containerId) throw new InputError("containerId", "is required (or pass execId)");
    if (!target.command) {
      throw new InputError(
        "command",
        'is required (an argv array, e.g. ["echo","hi"]; on the REST route repeat it per item: command=sh&command=-c…)',
      );
    }
    execId = await createExec(
      client,
      target.endpointId,
      target.containerId,
      {
        cmd: create.cmd ? create.cmd(target.command) : target.command,
        tty: target.tty,
        attachStdin: create.attachStdin,
        user: target.user,
        workingDir: target.workingDir,
        env: target.env,
      },
      signal,
    );
  }
  const query = { endpointId: String(target.endpointId), id: execId, nodeName: target.nodeName };
  return { execId, ws: await openBridge(client, "exec", query, signal) };
}

/**
 * Resolves the container (names to the hex id Portainer requires, a clear 404, whether Docker
 * multiplexes the stream) and opens /api/websocket/attach on it.
 */
export async function openAttachBridge(
  client: PortainerClient,
  target: { endpointId: number; id: string; nodeName?: string | undefined },
  signal: AbortSignal,
): Promise<{ container: ContainerInfo; ws: WebSocket }> {
  const container = await inspectContainer(client, target.endpointId, target.id, signal);
  if (!container.running) {
    throw new InputError("id", `container ${container.name || container.id} is not running; start it first`);
  }
  const query = { endpointId: String(target.endpointId), id: container.id, nodeName: target.nodeName };
  return { container, ws: await openBridge(client, "attach", query, signal) };
}

export interface PodTarget {
  endpointId: number;
  namespace: string;
  podName: string;
  containerName: string;
  command: string;
}

/**
 * Portainer does `strings.Split(command, " ")`: no quoting, no escaping. Refuse anything whose
 * split would not be the argv the caller meant, instead of running a mangled command.
 */
export function checkPodCommand(command: string): string[] {
  if (/["'`\\]/.test(command)) {
    throw new InputError(
      "command",
      "quotes and backslashes are passed literally by Portainer (it splits on spaces only); remove them",
    );
  }
  if (/[\t\n\r\v\f]/.test(command))
    throw new InputError("command", "must not contain tabs or newlines (Portainer splits on single spaces only)");
  if (/^ | $/.test(command))
    throw new InputError("command", "must not start or end with a space (it would create an empty argument)");
  if (command.includes("  "))
    throw new InputError("command", "must not contain double spaces (each would create an empty argument)");
  return command.split(" ");
}

/** Checks the command and opens /api/websocket/pod for it. */
export async function openPodBridge(
  client: PortainerClient,
  target: PodTarget,
  signal: AbortSignal,
): Promise<{ argv: string[]; ws: WebSocket }> {
  const argv = checkPodCommand(target.command);
  const query = {
    endpointId: String(target.endpointId),
    namespace: target.namespace,
    podName: target.podName,
    containerName: target.containerName,
    command: target.command,
  };
  return { argv, ws: await openBridge(client, "pod", query, signal) };
}

/** Opens /api/websocket/kubernetes-shell (Portainer creates the shell pod). */
export function openKubectlShell(client: PortainerClient, endpointId: number, signal: AbortSignal): Promise<WebSocket> {
  return openBridge(client, "kubernetes-shell", { endpointId: String(endpointId) }, signal);
}
