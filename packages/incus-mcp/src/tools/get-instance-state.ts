import { z } from "zod";
import { formatBytes, incusCall, instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";

interface InstanceState {
  status: string;
  status_code?: number;
  pid?: number;
  processes?: number;
  started_at?: string;
  cpu?: { usage?: number; allocated_time?: number };
  memory?: { usage?: number; usage_peak?: number; total?: number; swap_usage?: number; swap_usage_peak?: number };
  disk?: Record<string, { usage?: number; total?: number }> | null;
  network?: Record<
    string,
    {
      type?: string;
      state?: string;
      hwaddr?: string;
      addresses?: { family: string; address: string; netmask: string; scope: string }[];
      counters?: { bytes_received?: number; bytes_sent?: number };
    }
  > | null;
}

/** The state in a few lines: status, processes, CPU, memory and swap, disks, addresses. */
function summarize(name: string, s: InstanceState): string {
  const about = [
    s.pid ? `pid ${s.pid}` : "",
    s.processes !== undefined && s.processes >= 0 ? `${s.processes} processes` : "",
    s.started_at && !s.started_at.startsWith("0001") ? `started ${s.started_at}` : "",
  ].filter(Boolean);
  const lines = [`${name} ${s.status}${about.length ? ` (${about.join(", ")})` : ""}`];
  if (s.cpu?.usage !== undefined) lines.push(`cpu: ${(s.cpu.usage / 1e9).toFixed(3)} s used`);
  const m = s.memory;
  if (m?.usage !== undefined) {
    lines.push(
      `memory: ${formatBytes(m.usage)}${m.usage_peak ? ` (peak ${formatBytes(m.usage_peak)})` : ""}; swap: ${formatBytes(m.swap_usage ?? 0)}`,
    );
  }
  const disks = Object.entries(s.disk ?? {}).map(
    ([dev, d]) => `${dev} ${formatBytes(d.usage ?? 0)}${d.total ? ` of ${formatBytes(d.total)}` : ""}`,
  );
  if (disks.length) lines.push(`disk: ${disks.join(", ")}`);
  for (const [nic, n] of Object.entries(s.network ?? {})) {
    const addrs = (n.addresses ?? []).map((a) => `${a.address}/${a.netmask}`).join(" ") || "no addresses";
    lines.push(`net ${nic} (${n.type ?? "?"}, ${n.state ?? "?"}): ${addrs}`);
  }
  return lines.join("\n");
}

export const getInstanceState = incus.tool({
  name: "get-instance-state",
  title: "Get instance state",
  description:
    "Runtime state of an instance: status, pid, process count, CPU time, memory and swap, disk usage per device, network addresses per interface.",
  toolset: "instances",
  inputSchema: z.object({ instance: instanceArg, project: projectArg }),
  hints: "readOnly",

  async handler(args, ctx) {
    const res = await incusCall<InstanceState>(ctx.client, {
      method: "GET",
      path: instancePath(args.instance, "/state"),
      query: projectQuery(ctx.client, args.project),
      signal: ctx.signal,
    });
    return {
      text: summarize(args.instance, res.metadata),
      structured: { instance: args.instance, remote: ctx.client.remote, state: res.metadata },
    };
  },
});
