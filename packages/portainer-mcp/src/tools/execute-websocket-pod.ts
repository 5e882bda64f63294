import { InputError } from "@infra-mcp/core";
import { z } from "zod";
import { checkPodCommand, checkPodTarget, openPodBridge } from "../bridges.js";
import { portainer } from "../builder.js";
import { outputResult, truncNote } from "../output.js";
import { killPodProcess, openPodSession, runPodOneShot, wrapPodCommand } from "../pod-exec.js";
import { endpointId, maxOutputBytes, session, stdin, stdinEncoding, timeoutMs, unlisted } from "../schemas.js";
import { sessionText, stdinBytes } from "../stream.js";

const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes name (lowercase letters, digits, '-', '.')")
  .meta(unlisted);

export const executeWebsocketPod = portainer.tool({
  name: "execute-websocket-pod",
  title: "Run a command in a Kubernetes pod",
  description:
    "Run a command in a pod's container via Portainer: output (stderr merged: a TTY), exitCode, durationMs, " +
    "truncated. One-shot runs it under the container's sh (exit code; stdin, then EOF). No spaces or quotes inside " +
    "arguments (refused); for more, run `sh` with session:true and type the script.",
  toolset: "kubernetes",
  inputSchema: z.object({
    endpointId,
    namespace: k8sName,
    podName: k8sName,
    containerName: k8sName,
    command: z.string().min(1).max(8192).meta(unlisted).describe("Split on single spaces, no quoting"),
    stdin,
    stdinEncoding,
    timeoutMs,
    maxOutputBytes,
    session,
  }),
  hints: "destructive",
  opensSession: "optional",
  confirm: (args) => `run \`${args.command}\` in pod ${args.namespace}/${args.podName}/${args.containerName}`,
  async handler(args, ctx) {
    const input = stdinBytes(args.stdin, args.stdinEncoding);
    if (args.session) ctx.sessions.assertCapacity();
    const argv = checkPodCommand(args.command);
    const wrap = wrapPodCommand(argv, args.session ? "session" : { stdinLength: input?.length ?? 0 });
    const where = `${args.namespace}/${args.podName}/${args.containerName}`;
    const kill = (pid: number, signal: number | string) => killPodProcess(ctx.client, args, pid, signal);
    if (args.session) {
      const { ws } = await openPodBridge(ctx.client, args, ctx.signal, wrap.command, true);
      const s = openPodSession(ctx.sessions, {
        label: `${argv[0]} in ${where} (endpoint ${args.endpointId})`,
        ws,
        wrap,
        kill,
      });
      if (input?.length) await s.driver.write(input);
      return {
        text: sessionText(s, `${where}; a TTY; no resize: Portainer has none for pods`),
        structured: { sessionId: s.id, argv },
      };
    }
    const { ws } = await openPodBridge(ctx.client, args, ctx.signal, wrap.command);
    const run = await runPodOneShot(ws, wrap, {
      stdin: input,
      maxBytes: args.maxOutputBytes,
      totalTimeoutMs: args.timeoutMs,
      signal: ctx.signal,
    });
    if (run.pid === undefined && run.endReason === "closed") {
      // Portainer says nothing when an exec cannot start: find out why.
      await checkPodTarget(ctx.client, args, ctx.signal);
      throw new InputError(
        "command",
        `Portainer closed the exec without output: the container has no sh (a one-shot runs the command through sh -c to learn its exit code); use session:true to run ${argv[0]} directly`,
      );
    }
    let why = run.exitCode !== null ? `exit code ${run.exitCode}` : "connection lost (exit code unknown)";
    if (run.endReason === "total-timeout" || run.endReason === "cancelled") {
      // Closing the websocket would leave the process running: end its process group.
      const killed =
        run.pid !== undefined
          ? await kill(run.pid, "KILL").then(
              () => "killed",
              (e: Error) => `not killed: ${e.message}`,
            )
          : "may still run";
      why = `${run.endReason === "cancelled" ? "cancelled" : `stopped after ${args.timeoutMs} ms`} (process ${killed})`;
    }
    const result = outputResult(run, { argv, exitCode: run.exitCode });
    return {
      text: `${why} · ${result.outputBytes} bytes · ${result.durationMs} ms${truncNote(result)}\n${result.output}`,
      structured: result,
    };
  },
});
