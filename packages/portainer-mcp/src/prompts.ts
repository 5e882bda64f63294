import type { PromptDefinition } from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";

/** Environment ids, from Portainer's own list. */
async function environmentIds(client: PortainerClient, _prefix: string, _ctx: unknown, signal: AbortSignal) {
  const data = await client.http.json<{ Id: number }[]>({ method: "GET", path: "/api/endpoints", signal });
  return (data ?? []).map((e) => String(e.Id));
}

/** Container names of the environment chosen so far (running and stopped). */
async function containerNames(
  client: PortainerClient,
  _prefix: string,
  context: Record<string, string>,
  signal: AbortSignal,
) {
  const env = Number(context.endpointId);
  if (!Number.isInteger(env) || env < 1) return [];
  const data = await client.http.json<{ Names?: string[] }[]>({
    method: "GET",
    path: `/api/endpoints/${env}/docker/containers/json`,
    query: { all: "1" },
    signal,
  });
  return (data ?? []).flatMap((c) => (c.Names ?? []).map((n) => n.replace(/^\//, "")));
}

const target = {
  endpointId: { description: "Environment id (list-environments)", required: true, complete: environmentIds },
  containerId: { description: "Container name or id", required: true, complete: containerNames },
} as const;

export const prompts: PromptDefinition<PortainerClient>[] = [
  {
    name: "diagnose-container",
    title: "Diagnose a container",
    description: "State, restarts, health, recent logs and stats of a Docker container, then what to try",
    args: target,
    text: (a) =>
      [
        `Diagnose container ${a.containerId} on Portainer environment ${a.endpointId}. Read only; change nothing.`,
        `1. inspect-container {endpointId: ${a.endpointId}, containerId: "${a.containerId}"}: state, exit code, restart count, health and its last check, restart policy, image, command, mounts.`,
        "2. get-container-logs with tail 200 and timestamps: the last errors, and what happened just before a restart or exit.",
        "3. get-container-stats (when it runs): CPU, memory against its limit (OOM?), network, block I/O.",
        "Then say what is wrong, the evidence for it, and what to try, most likely first. For any fix that writes (restart-container, stop-container, execute-websocket …) show it as a dryRun: true call first and ask the user before running it.",
      ].join("\n"),
  },
  {
    name: "run-command-safely",
    title: "Run a command in a container, safely",
    description: "Checks the container, runs a read-only command directly, and asks before anything that writes",
    args: { ...target, command: { description: "The command to run", required: true } },
    text: (a) =>
      [
        `Run \`${a.command}\` in container ${a.containerId} on Portainer environment ${a.endpointId}, safely.`,
        "1. inspect-container first: it must be running; note its user, working directory and image.",
        "2. If the command only reads (ls, cat, ps, df, env names…), run it with execute-websocket (one-shot) and report its output and exit code.",
        "3. If it could change or end anything (writes files, kills or restarts processes, installs, deletes), do not run it yet: call execute-websocket with dryRun: true, show the user what would run, and ask. Run it only after a clear yes, then check the result with a read (inspect-container, get-container-logs).",
      ].join("\n"),
  },
];
