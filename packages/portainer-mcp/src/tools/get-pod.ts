import { encodePathSegment, UpstreamHttpError } from "@infra-mcp/core";
import { z } from "zod";
import { portainer } from "../builder.js";
import { age, namespaced, type Pod, podStatus, readyCount, restarts } from "../kubernetes.js";
import { kubernetesPath } from "../portainer.js";
import { endpointId, k8sName } from "../schemas.js";

interface Event {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  metadata?: { creationTimestamp?: string };
}

type State = NonNullable<NonNullable<NonNullable<Pod["status"]>["containerStatuses"]>[number]["state"]>;

/** One container state as a short phrase: "running since …", "waiting: CrashLoopBackOff (…)", "terminated: Error, exit 1 …". */
function stateText(s: State | undefined): string | undefined {
  if (!s) return undefined;
  if (s.running) return `running since ${s.running.startedAt ?? "?"}`;
  if (s.waiting) return `waiting: ${s.waiting.reason ?? "?"}${s.waiting.message ? ` (${s.waiting.message})` : ""}`;
  const t = s.terminated;
  if (!t) return undefined;
  return (
    `terminated: ${t.reason ?? "?"}, exit ${t.exitCode}${t.signal ? `, signal ${t.signal}` : ""}` +
    `${t.finishedAt ? ` at ${t.finishedAt}` : ""}${t.message ? ` (${t.message.trim()})` : ""}`
  );
}

export const getPod = portainer.tool({
  name: "get-pod",
  title: "Describe a Kubernetes pod",
  description:
    "One pod, as kubectl describe summarises it: phase and status, node, IPs, each container's state, ready, " +
    "restarts and last termination (exit code, reason), conditions, and the newest events.",
  toolset: "kubernetes",
  inputSchema: z.object({
    endpointId,
    namespace: k8sName,
    podName: k8sName,
    events: z.number().int().min(0).max(100).meta({ maximum: undefined }).default(10).describe("Newest events shown"),
  }),
  hints: "readOnly",
  async handler(args, ctx) {
    const pod = await ctx.client.http
      .json<Pod>({
        method: "GET",
        path: kubernetesPath(
          args.endpointId,
          namespaced(args.namespace, `pods/${encodePathSegment("podName", args.podName)}`),
        ),
        signal: ctx.signal,
      })
      .catch((error: unknown) => {
        if (error instanceof UpstreamHttpError && error.status === 404) {
          throw new UpstreamHttpError(
            error.method,
            error.path,
            error.status,
            error.detail,
            "Check namespace and podName (list-pods shows them)",
          );
        }
        throw error;
      });
    const st = pod.status ?? {};
    const fields = [
      `involvedObject.kind=Pod`,
      `involvedObject.name=${args.podName}`,
      ...(pod.metadata.uid ? [`involvedObject.uid=${pod.metadata.uid}`] : []),
    ];
    const evList =
      args.events > 0
        ? await ctx.client.http.json<{ items?: Event[] }>({
            method: "GET",
            path: kubernetesPath(args.endpointId, namespaced(args.namespace, "events")),
            query: { fieldSelector: fields.join(",") },
            signal: ctx.signal,
          })
        : { items: [] };
    const when = (e: Event) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
    const now = Date.now();
    const events = (evList?.items ?? [])
      .sort((a, b) => (Date.parse(when(a) ?? "") || 0) - (Date.parse(when(b) ?? "") || 0))
      .slice(-args.events)
      .map((e) => ({
        age: age(when(e), now),
        type: e.type ?? "",
        reason: e.reason ?? "",
        message: (e.message ?? "").trim(),
        ...(e.count && e.count > 1 ? { count: e.count } : {}),
      }));
    const container = (
      spec: { name: string; image?: string },
      s: NonNullable<typeof st.containerStatuses>[number] | undefined,
    ) => ({
      name: spec.name,
      image: spec.image ?? s?.image ?? "",
      ready: s?.ready ?? false,
      restarts: s?.restartCount ?? 0,
      state: stateText(s?.state) ?? "not created",
      ...(stateText(s?.lastState) ? { lastTermination: stateText(s?.lastState) } : {}),
    });
    const byName = (list: typeof st.containerStatuses) => new Map((list ?? []).map((c) => [c.name, c]));
    const cs = byName(st.containerStatuses);
    const ics = byName(st.initContainerStatuses);
    const containers = (pod.spec?.containers ?? []).map((c) => container(c, cs.get(c.name)));
    const initContainers = (pod.spec?.initContainers ?? []).map((c) => container(c, ics.get(c.name)));
    const conditions = (st.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    }));
    const structured = {
      namespace: pod.metadata.namespace ?? args.namespace,
      name: pod.metadata.name,
      phase: st.phase ?? "Unknown",
      status: podStatus(pod),
      ready: readyCount(pod),
      restarts: restarts(pod),
      node: pod.spec?.nodeName ?? "",
      ...(st.podIP ? { podIP: st.podIP } : {}),
      ...(st.hostIP ? { hostIP: st.hostIP } : {}),
      ...(st.startTime ? { startTime: st.startTime } : {}),
      ...(st.message ? { message: st.message } : {}),
      labels: pod.metadata.labels ?? {},
      ...(pod.metadata.ownerReferences?.length
        ? { owner: pod.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`).join(", ") }
        : {}),
      containers,
      ...(initContainers.length ? { initContainers } : {}),
      conditions,
      events,
    };
    const line = (c: (typeof containers)[number]) =>
      `  ${c.name}\t${c.image}\t${c.state}\t${c.ready ? "ready" : "not ready"}\t${c.restarts} restarts` +
      (c.lastTermination ? `\n    last: ${c.lastTermination}` : "");
    const text = [
      `${structured.namespace}/${structured.name} · ${structured.status} (phase ${structured.phase}) · ready ${structured.ready}` +
        ` · node ${structured.node || "-"}${st.podIP ? ` · IP ${st.podIP}` : ""}` +
        `${st.startTime ? ` · started ${age(st.startTime, now)} ago` : ""}${structured.owner ? ` · owner ${structured.owner}` : ""}`,
      ...(st.message ? [`message: ${st.message}`] : []),
      ...(initContainers.length ? ["init containers:", ...initContainers.map(line)] : []),
      "containers:",
      ...containers.map(line),
      `conditions: ${conditions.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}`).join(", ") || "none"}`,
      events.length ? "events (oldest first):" : "no events",
      ...events.map((e) => `  ${e.age}\t${e.type}\t${e.reason}${e.count ? ` (x${e.count})` : ""}\t${e.message}`),
    ].join("\n");
    return { text, structured };
  },
});
