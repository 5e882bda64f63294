import { z } from "zod";
import { openPodBridge } from "../bridges.js";
import { portainer } from "../builder.js";
import { outputResult, truncNote } from "../output.js";
import { endpointId, maxOutputBytes, session, stdin, stdinEncoding, timeoutMs, unlisted } from "../schemas.js";
import { openBridgeSession, runOneShot, sessionText, stdinBytes } from "../stream.js";

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
    "Run a command in a pod's container via Portainer; returns output, durationMs, truncated (exitCode is null: " +
    "Portainer has none for pods). Arguments cannot contain spaces or quotes (refused); for more, run `sh` with " +
    "session:true and write the script. TTY: stderr merged, \\r\\n line ends.",
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
    const { argv, ws } = await openPodBridge(ctx.client, args, ctx.signal);
    const where = `${args.namespace}/${args.podName}/${args.containerName}`;
    if (args.session) {
      const s = openBridgeSession(ctx.sessions, {
        kind: "pod-exec",
        label: `${argv[0]} in ${where} (endpoint ${args.endpointId})`,
        ws,
      });
      if (input?.length) await s.driver.write(input);
      return {
        text: sessionText(s, `${where}; no resize: Portainer has no resize route for pods`),
        structured: { sessionId: s.id, argv },
      };
    }
    const run = await runOneShot(ws, {
      stdin: input,
      maxBytes: args.maxOutputBytes,
      totalTimeoutMs: args.timeoutMs,
      signal: ctx.signal,
    });
    const result = outputResult(run, { argv, exitCode: null });
    const why =
      run.endReason === "closed" ? "stream ended" : `stopped after ${args.timeoutMs} ms (process may still run)`;
    return {
      text: `${why} · ${result.outputBytes} bytes · ${result.durationMs} ms${truncNote(result)} · exit code not available for pods\n${result.output}`,
      structured: result,
    };
  },
});
