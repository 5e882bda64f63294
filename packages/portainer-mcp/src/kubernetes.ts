import { encodePathSegment, pageFields, pageFooter, paginate } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";
import { kubernetesPath } from "./portainer.js";

/**
 * Read-only views of the Kubernetes API behind Portainer's proxy (`/api/endpoints/{id}/kubernetes/…`,
 * which forwards the path as is with the user's service-account token). Lists are read whole in
 * the API's own chunks (`limit` + `continue`) and paged here, like the Docker lists: the API
 * returns them ordered by namespace and name, so offsets are stable and `total` is exact.
 */

/** Default page sizes: about 2 KB of text per page. */
export const K8S_PAGE = { namespaces: 50, pods: 25 } as const;
/** The API's chunk size, and how many items a list reads at most before it says it stopped. */
const CHUNK = 500;
const MAX_ITEMS = 10_000;

export const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"] as const;

interface ListMeta {
  continue?: string;
}
interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  ownerReferences?: { kind: string; name: string }[];
}

interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: {
    exitCode: number;
    signal?: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  };
}
interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}
export interface Pod {
  metadata: ObjectMeta;
  spec?: {
    nodeName?: string;
    containers?: { name: string; image?: string }[];
    initContainers?: { name: string; image?: string }[];
    hostNetwork?: boolean;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** Reads every item of a list path in the API's chunks; `stopped` when MAX_ITEMS was reached. */
export async function listAll<T>(
  client: PortainerClient,
  endpointId: number,
  rest: string,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<{ items: T[]; stopped: boolean }> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await client.http.json<{ items?: T[]; metadata?: ListMeta }>({
      method: "GET",
      path: kubernetesPath(endpointId, rest),
      query: { ...query, limit: String(CHUNK), continue: token },
      signal,
    });
    items.push(...(page?.items ?? []));
    token = page?.metadata?.continue || undefined;
  } while (token && items.length < MAX_ITEMS);
  return { items, stopped: Boolean(token) };
}

/** `api/v1/namespaces/{ns}/<rest>` with the namespace checked and encoded. */
export function namespaced(namespace: string, rest: string): string {
  return `api/v1/namespaces/${encodePathSegment("namespace", namespace)}/${rest}`;
}

/** "3m", "2h", "5d": how long ago an RFC 3339 time was, as kubectl prints ages. */
export function age(time: string | undefined, now = Date.now()): string {
  const t = time ? Date.parse(time) : Number.NaN;
  if (Number.isNaN(t)) return "?";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/**
 * The STATUS column of `kubectl get pods`: the phase, unless a container says more (waiting
 * CrashLoopBackOff / ImagePullBackOff / ContainerCreating, terminated Error / Completed / OOMKilled),
 * an init container is still at work (Init:n/m), or the pod is being deleted (Terminating).
 */
export function podStatus(pod: Pod): string {
  const st = pod.status ?? {};
  let reason = st.reason || st.phase || "Unknown";
  const inits = st.initContainerStatuses ?? [];
  let initializing = false;
  for (const [i, c] of inits.entries()) {
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    initializing = true;
    if (t) reason = `Init:${t.reason || (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`)}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== "PodInitializing")
      reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${pod.spec?.initContainers?.length ?? inits.length}`;
    break;
  }
  if (!initializing) {
    let running = false;
    for (const c of [...(st.containerStatuses ?? [])].reverse()) {
      const w = c.state?.waiting?.reason;
      const t = c.state?.terminated;
      if (w) reason = w;
      else if (t) reason = t.reason || (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`);
      else if (c.state?.running && c.ready) running = true;
    }
    if (reason === "Completed" && running) reason = "Running";
  }
  if (pod.metadata.deletionTimestamp) reason = "Terminating";
  return reason;
}

export function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

export function readyCount(pod: Pod): string {
  const cs = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? cs.length;
  return `${cs.filter((c) => c.ready).length}/${total}`;
}

export async function namespacesPage(
  client: PortainerClient,
  args: { endpointId: number; limit: number; offset: number },
  signal: AbortSignal,
) {
  const { items, stopped } = await listAll<{ metadata: ObjectMeta; status?: { phase?: string } }>(
    client,
    args.endpointId,
    "api/v1/namespaces",
    {},
    signal,
  );
  const now = Date.now();
  const all = items.map((n) => ({
    name: n.metadata.name,
    status: n.status?.phase ?? "Unknown",
    age: age(n.metadata.creationTimestamp, now),
  }));
  const page = paginate(all, args);
  const lines = page.items.map((n) => `${n.name}\t${n.status}\t${n.age}`);
  return {
    text: [...lines, pageFooter(page, "namespaces") + stoppedNote(stopped)].join("\n"),
    structured: { namespaces: page.items, ...pageFields(page), ...(stopped ? { incomplete: true } : {}) },
  };
}

function stoppedNote(stopped: boolean): string {
  return stopped ? ` (stopped reading after ${MAX_ITEMS}: narrow with namespace or labelSelector)` : "";
}

export async function podsPage(
  client: PortainerClient,
  args: {
    endpointId: number;
    namespace?: string | undefined;
    labelSelector?: string | undefined;
    status?: string | undefined;
    limit: number;
    offset: number;
  },
  signal: AbortSignal,
) {
  const want = args.status?.toLowerCase();
  // A phase is filtered by the API itself; any other status (CrashLoopBackOff…) here, on the
  // STATUS kubectl would print.
  const phase = PHASES.find((p) => p.toLowerCase() === want);
  const rest = args.namespace ? namespaced(args.namespace, "pods") : "api/v1/pods";
  const { items, stopped } = await listAll<Pod>(
    client,
    args.endpointId,
    rest,
    { labelSelector: args.labelSelector, fieldSelector: phase ? `status.phase=${phase}` : undefined },
    signal,
  );
  const now = Date.now();
  const all = items
    .map((p) => ({
      namespace: p.metadata.namespace ?? "",
      name: p.metadata.name,
      status: podStatus(p),
      phase: p.status?.phase ?? "Unknown",
      ready: readyCount(p),
      restarts: restarts(p),
      node: p.spec?.nodeName ?? "",
      age: age(p.metadata.creationTimestamp, now),
      containers: (p.spec?.containers ?? []).map((c) => c.name),
    }))
    .filter((p) => !want || phase || p.status.toLowerCase() === want);
  const page = paginate(all, args);
  const lines = page.items.map(
    (p) =>
      `${p.namespace}/${p.name}\t${p.ready}\t${p.status}\t${p.restarts} restarts\t${p.node || "-"}\t${p.age}\t[${p.containers.join(",")}]`,
  );
  return {
    text: [...lines, pageFooter(page, "pods") + stoppedNote(stopped)].join("\n"),
    structured: { pods: page.items, ...pageFields(page), ...(stopped ? { incomplete: true } : {}) },
  };
}
