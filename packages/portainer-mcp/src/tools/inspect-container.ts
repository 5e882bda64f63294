import { z } from "zod";
import { portainer } from "../builder.js";
import { type ContainerDocument, inspectContainerDocument, stateLine, stateOf } from "../containers.js";
import { containerId, endpointId } from "../schemas.js";

const inputSchema = z.object({ endpointId, containerId });

/** The facts an operator reads first, one per line; the whole document goes to structuredContent. */
export function inspectSummary(doc: ContainerDocument): string {
  const state = stateOf(doc);
  const lines = [stateLine(state)];
  lines.push(
    `image: ${doc.Config?.Image ?? doc.Image ?? "?"}${doc.Image && doc.Image !== doc.Config?.Image ? ` (${doc.Image.slice(0, 19)})` : ""}`,
  );
  const argv = [...(doc.Config?.Entrypoint ?? []), ...(doc.Config?.Cmd ?? [])];
  lines.push(
    `command: ${argv.length ? JSON.stringify(argv) : [doc.Path, ...(doc.Args ?? [])].filter(Boolean).join(" ")}`,
  );
  lines.push(
    `created: ${doc.Created ?? "?"}${state.startedAt ? ` · started: ${state.startedAt}` : ""}${!state.running && state.finishedAt ? ` · finished: ${state.finishedAt}` : ""}`,
  );
  const health = doc.State?.Health;
  if (health?.Status) {
    const last = health.Log?.at(-1);
    lines.push(
      `health: ${health.Status} (failing streak ${health.FailingStreak ?? 0})${last ? `, last check exit ${last.ExitCode}: ${(last.Output ?? "").trim().slice(0, 200)}` : ""}`,
    );
  }
  const policy = doc.HostConfig?.RestartPolicy;
  if (policy?.Name)
    lines.push(`restart policy: ${policy.Name}${policy.MaximumRetryCount ? ` (max ${policy.MaximumRetryCount})` : ""}`);
  const ports = Object.entries(doc.NetworkSettings?.Ports ?? {}).map(([port, binds]) =>
    binds?.length ? `${binds.map((b) => `${b.HostIp || "0.0.0.0"}:${b.HostPort}`).join(",")}->${port}` : port,
  );
  if (ports.length) lines.push(`ports: ${ports.join(", ")}`);
  const mounts = (doc.Mounts ?? []).map(
    (m) => `${m.Type === "volume" ? m.Name : m.Source}:${m.Destination}${m.RW === false ? ":ro" : ""}`,
  );
  if (mounts.length) lines.push(`mounts: ${mounts.join(", ")}`);
  const nets = Object.entries(doc.NetworkSettings?.Networks ?? {}).map(
    ([name, n]) => `${name}${n.IPAddress ? ` ${n.IPAddress}` : ""}`,
  );
  lines.push(`networks: ${nets.length ? nets.join(", ") : doc.HostConfig?.NetworkMode || "none"}`);
  const labels = Object.entries(doc.Config?.Labels ?? {});
  if (labels.length) {
    const shown = labels.slice(0, 20).map(([k, v]) => `${k}=${v.length > 80 ? `${v.slice(0, 80)}…` : v}`);
    lines.push(
      `labels: ${shown.join(", ")}${labels.length > 20 ? ` (+${labels.length - 20} more in structuredContent)` : ""}`,
    );
  }
  if (doc.Config?.WorkingDir || doc.Config?.User)
    lines.push(`workdir: ${doc.Config.WorkingDir || "/"} · user: ${doc.Config.User || "(image default)"}`);
  lines.push(`tty: ${Boolean(doc.Config?.Tty)}`);
  return lines.join("\n");
}

export const inspectContainer = portainer.tool({
  name: "inspect-container",
  title: "Inspect a container",
  description:
    "A Docker container's image, state (exit code, restarts, health), command, ports, mounts, networks, labels " +
    "and times via Portainer; the full inspect document (env values masked) in structuredContent.",
  toolset: "containers",
  inputSchema,
  hints: "readOnly",
  async handler(args, ctx) {
    const doc = await inspectContainerDocument(ctx.client, args.endpointId, args.containerId, ctx.signal);
    return { text: inspectSummary(doc), structured: { ...(doc as unknown as Record<string, unknown>) } };
  },
});
