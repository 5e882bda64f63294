import { encodePathSegment, UpstreamHttpError } from "@infra-mcp/core";
import { z } from "zod";
import { portainer } from "../builder.js";
import { LogTail, logNote, readLogBody } from "../docker-logs.js";
import { kubernetesPath } from "../portainer.js";
import { endpointId, k8sName, maxLogBytes, unlisted } from "../schemas.js";

const inputSchema = z.object({
  endpointId,
  namespace: k8sName,
  podName: k8sName,
  container: k8sName.optional(),
  tailLines: z.number().int().min(0).meta(unlisted).default(100),
  sinceSeconds: z.number().int().min(1).meta(unlisted).optional(),
  previous: z.boolean().default(false),
  timestamps: z.boolean().default(false),
  maxBytes: maxLogBytes,
});

export const getPodLogs = portainer.tool({
  name: "get-pod-logs",
  title: "Read a pod's logs",
  description:
    "Pod container logs via Portainer's Kubernetes proxy: the last tailLines, or sinceSeconds; previous:true for " +
    "the crashed instance; container when the pod has several. stdout and stderr come merged. Keeps the newest maxBytes.",
  toolset: "kubernetes",
  inputSchema,
  hints: "readOnly",
  async handler(args, ctx) {
    const rest =
      `api/v1/namespaces/${encodePathSegment("namespace", args.namespace)}` +
      `/pods/${encodePathSegment("podName", args.podName)}/log`;
    const res = await ctx.client.http
      .stream({
        method: "GET",
        path: kubernetesPath(args.endpointId, rest),
        query: {
          container: args.container,
          tailLines: String(args.tailLines),
          sinceSeconds: args.sinceSeconds !== undefined ? String(args.sinceSeconds) : undefined,
          previous: args.previous ? "true" : undefined,
          timestamps: args.timestamps ? "true" : undefined,
        },
        signal: ctx.signal,
      })
      .catch((error: unknown) => {
        if (error instanceof UpstreamHttpError && (error.status === 404 || error.status === 400)) {
          throw new UpstreamHttpError(
            error.method,
            error.path,
            error.status,
            error.detail,
            "Check namespace, podName and container (a pod with several containers needs container; previous:true needs a restarted container)",
          );
        }
        throw error;
      });
    const tail = new LogTail(args.maxBytes);
    const timeoutMs = ctx.client.http.upstream.timeoutMs;
    const stopped = await readLogBody(res.body, tail, undefined, timeoutMs);
    const log = tail.pieces.map((p) => p.data.toString("utf8")).join("");
    const lines = tail.lineCount();
    const note = logNote(tail, stopped, timeoutMs, { tail: "tailLines", timestamps: "timestamps" }, args.tailLines);
    const who = `${args.namespace}/${args.podName}${args.container ? `/${args.container}` : ""}${args.previous ? " (previous)" : ""}`;
    return {
      text: `${who} · ${lines} line${lines === 1 ? "" : "s"}, ${tail.keptBytes} bytes${note ? ` ${note}` : ""}\n${log}`,
      structured: {
        namespace: args.namespace,
        podName: args.podName,
        ...(args.container ? { container: args.container } : {}),
        log,
        lines,
        totalBytes: tail.totalBytes,
        keptBytes: tail.keptBytes,
        truncated: Boolean(stopped || tail.droppedBytes),
      },
    };
  },
});
