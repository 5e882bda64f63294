import { encodePathSegment, InputError, UpstreamHttpError, type WebSocket } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";
import type { Pod } from "./kubernetes.js";
import {
  assertHexId,
  type ContainerInfo,
  createExec,
  inspectContainer,
  kubernetesPath,
  openBridge,
} from "./portainer.js";

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

/**
 * Portainer answers an exec into a missing pod or container by closing the websocket without a
 * word: ask the API first (through Portainer's Kubernetes proxy) so the error names what is wrong.
 */
export async function checkPodTarget(client: PortainerClient, target: PodTarget, signal: AbortSignal): Promise<void> {
  const path = kubernetesPath(
    target.endpointId,
    `api/v1/namespaces/${encodePathSegment("namespace", target.namespace)}/pods/${encodePathSegment("podName", target.podName)}`,
  );
  const pod = await client.http.json<Pod>({ method: "GET", path, signal }).catch((error: unknown) => {
    if (error instanceof UpstreamHttpError && error.status === 404) {
      throw new UpstreamHttpError(
        error.method,
        error.path,
        404,
        error.detail,
        "Check endpointId (a Kubernetes environment), namespace and podName (list-pods)",
      );
    }
    throw error;
  });
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  if (!names.includes(target.containerName)) {
    throw new InputError(
      "containerName",
      `pod ${target.namespace}/${target.podName} has no container "${target.containerName}" (it has: ${names.join(", ")})`,
    );
  }
  const state = pod.status?.containerStatuses?.find((c) => c.name === target.containerName)?.state;
  if (!state?.running) {
    const why =
      state?.waiting?.reason ??
      (state?.terminated
        ? `terminated (${state.terminated.reason ?? "exit"} ${state.terminated.exitCode})`
        : "not started");
    throw new InputError(
      "containerName",
      `container ${target.containerName} is not running: ${why} (get-pod shows more)`,
    );
  }
}

/**
 * Checks the command and opens /api/websocket/pod for `command` (default: target.command). An
 * interactive bridge checks the pod first (a silent close would leave nothing to say); a wrapped
 * one-shot run learns whether it started from its start line and asks only when it did not.
 */
export async function openPodBridge(
  client: PortainerClient,
  target: PodTarget,
  signal: AbortSignal,
  command?: string,
  precheck = command === undefined,
): Promise<{ argv: string[]; ws: WebSocket }> {
  const argv = checkPodCommand(target.command);
  if (precheck) await checkPodTarget(client, target, signal);
  const query = {
    endpointId: String(target.endpointId),
    namespace: target.namespace,
    podName: target.podName,
    containerName: target.containerName,
    command: command ?? target.command,
  };
  return { argv, ws: await openBridge(client, "pod", query, signal) };
}

/** Opens /api/websocket/kubernetes-shell (Portainer creates the shell pod). */
export function openKubectlShell(client: PortainerClient, endpointId: number, signal: AbortSignal): Promise<WebSocket> {
  return openBridge(client, "kubernetes-shell", { endpointId: String(endpointId) }, signal);
}
