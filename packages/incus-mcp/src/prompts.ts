import type { PromptDefinition } from "@infra-mcp/core";
import { incusCall } from "./api.js";
import type { IncusRemotes } from "./config.js";

/** Instance names of the chosen remote and project (the default ones when not given yet). */
async function instanceNames(
  remotes: IncusRemotes,
  _prefix: string,
  context: Record<string, string>,
  signal: AbortSignal,
): Promise<string[]> {
  const client = remotes.get(context.remote || undefined);
  const res = await incusCall<string[]>(client, {
    method: "GET",
    path: "/1.0/instances",
    query: context.project ? { project: context.project } : {},
    signal,
  });
  return (res.metadata ?? []).map((url) => decodeURIComponent(url.replace(/^.*\//, "").replace(/\?.*$/, "")));
}

const target = {
  instance: { description: "Instance name (list-instances)", required: true, complete: instanceNames },
  project: { description: "Project (default: the remote's)" },
  remote: { description: "Remote (list-remotes; default: the default remote)" },
} as const;

const where = (a: Record<string, string | undefined>) =>
  `${a.instance}${a.project ? ` in project ${a.project}` : ""}${a.remote ? ` on remote ${a.remote}` : ""}`;
const scope = (a: Record<string, string | undefined>) =>
  `${a.project ? `, project: "${a.project}"` : ""}${a.remote ? `, remote: "${a.remote}"` : ""}`;

export const prompts: PromptDefinition<IncusRemotes>[] = [
  {
    name: "diagnose-instance",
    title: "Diagnose an instance",
    description: "Status, resources, recent logs and running operations of an Incus instance, then what to try",
    args: target,
    text: (a) =>
      [
        `Diagnose Incus instance ${where(a)}. Read only; change nothing.`,
        `1. get-instance-state {instance: "${a.instance}"${scope(a)}}: status, processes, memory and disk use, network addresses.`,
        "2. get-console-log and list-instance-logs / get-instance-log (lxc.log): boot errors, what happened before it stopped.",
        "3. get-operations: anything running or failed on it.",
        "4. If it runs, exec-in-instance with read-only commands (ps, df -h, free, dmesg | tail) for what the state does not show.",
        "Then say what is wrong, the evidence, and what to try, most likely first. Show any fix that writes (restart-instance, push-file, exec with side effects …) as a dryRun: true call first and ask the user before running it.",
      ].join("\n"),
  },
  {
    name: "run-command-safely",
    title: "Run a command in an instance, safely",
    description: "Checks the instance, runs a read-only command directly, and asks before anything that writes",
    args: { ...target, command: { description: "The command to run", required: true } },
    text: (a) =>
      [
        `Run \`${a.command}\` in Incus instance ${where(a)}, safely.`,
        "1. get-instance-state first: it must be Running.",
        "2. If the command only reads (ls, cat, ps, df…), run it with exec-in-instance (argv, not a shell string, unless it needs a shell) and report output and exit code.",
        "3. If it could change or end anything, do not run it yet: call exec-in-instance with dryRun: true, show the user what would run, and ask. Run it only after a clear yes, then check the result with a read.",
      ].join("\n"),
  },
];
