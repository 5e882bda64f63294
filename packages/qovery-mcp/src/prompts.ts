import type { PromptDefinition } from "@infra-mcp/core";
import type { QoveryClient } from "./config.js";

// Qovery lists containers only per environment, and a prompt's user starts from a container
// id: there is nothing to complete from without an environment, so these arguments do not complete.
const target = {
  containerId: { description: "Container id (uuid, from the Qovery console or list-containers)", required: true },
} as const;

export const prompts: PromptDefinition<QoveryClient>[] = [
  {
    name: "diagnose-deployment",
    title: "Diagnose a deployment",
    description: "Status, deployment history and recent logs of a Qovery container, then what to try",
    args: target,
    text: (a) =>
      [
        `Diagnose the deployment of Qovery container ${a.containerId}. Read only; change nothing.`,
        `1. get-container-status {containerId: "${a.containerId}"}: state, deployment status, what is in progress.`,
        "2. list-container-deployments: the recent deployments, which one failed, which tag ran last.",
        "3. get-container-logs (and get-service-logs for the live gateway): errors around the failed deployment or the crash.",
        "4. get-container: image, tag, resources, ports and health checks that could explain it.",
        "Then say what is wrong, the evidence, and what to try, most likely first. Show any fix (redeploy-container, deploy-container with another tag, restart-container …) as a dryRun: true call first and ask the user before running it.",
      ].join("\n"),
  },
  {
    name: "run-command-safely",
    title: "Run a command in a container, safely",
    description: "Checks the service, runs a read-only command directly, and asks before anything that writes",
    args: { ...target, command: { description: "The command to run", required: true } },
    text: (a) =>
      [
        `Run \`${a.command}\` in Qovery container ${a.containerId}, safely.`,
        "1. get-container-status first: it must be running.",
        "2. If the command only reads, run it with open-container-shell (the shell toolset) and report its output.",
        "3. If it could change or end anything, do not run it yet: call open-container-shell with dryRun: true, show the user what would run, and ask. Run it only after a clear yes, then check the result with a read.",
      ].join("\n"),
  },
];
