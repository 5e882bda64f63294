import { defineTool, InputError } from "@infra-mcp/core";
import { z } from "zod";
import type { PortainerClient } from "../config.js";
import { outputResult, truncNote } from "../output.js";
import { openBridge } from "../portainer.js";
import { endpointId, maxOutputBytes, session, stdin, stdinEncoding, timeoutMs, unlisted } from "../schemas.js";
import { openBridgeSession, runOneShot, sessionText, stdinBytes } from "../stream.js";

const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes name (lowercase letters, digits, '-', '.')")
  .meta(unlisted);

const inputSchema = z.object({
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
});

/**
 * Portainer does `strings.Split(command, " ")`: no quoting, no escaping. Refuse anything whose
 * split would not be the argv the caller meant, instead of running a mangled command.
 */
export function checkPodCommand(command: string): string[] {
  if (/["'`\\]/.test(command)) {
    throw new InputError(
      "command",
      "quotes and backslashes are passed literally by Portainer (it splits on spaces only); remove them",
    );
  }
  if (/[\t\n\r\v\f]/.test(command))
    throw new InputError("command", "must not contain tabs or newlines (Portainer splits on single spaces only)");
  if (/^ | $/.test(command))
    throw new InputError("command", "must not start or end with a space (it would create an empty argument)");
  if (command.includes("  "))
    throw new InputError("command", "must not contain double spaces (each would create an empty argument)");
  return command.split(" ");
}

export const executeWebsocketPod = defineTool<PortainerClient, typeof inputSchema>({
  name: "execute-websocket-pod",
  title: "Run a command in a Kubernetes pod",
  description:
    "Run a command in a pod's container via Portainer; returns output, durationMs, truncated (exitCode is null: " +
    "Portainer has none for pods). Arguments cannot contain spaces or quotes (refused); for more, run `sh` with " +
    "session:true and write the script. TTY: stderr merged, \\r\\n line ends.",
  inputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  opensSession: "optional",
  rest: [
    {
      method: "GET",
      path: "/v1/websocket/pod",
      websocket: true,
      // Upgrade passthrough (REST surface): the raw /api/websocket/pod bridge, credential kept here.
      async openUpstreamSocket(args, ctx) {
        checkPodCommand(args.command);
        const query = {
          endpointId: String(args.endpointId),
          namespace: args.namespace,
          podName: args.podName,
          containerName: args.containerName,
          command: args.command,
        };
        return openBridge(ctx.client, "pod", query, ctx.signal);
      },
    },
  ],
  async handler(args, ctx) {
    const argv = checkPodCommand(args.command);
    const input = stdinBytes(args.stdin, args.stdinEncoding);
    if (args.session) ctx.sessions.assertCapacity();
    const ws = await openBridge(
      ctx.client,
      "pod",
      {
        endpointId: String(args.endpointId),
        namespace: args.namespace,
        podName: args.podName,
        containerName: args.containerName,
        command: args.command,
      },
      ctx.signal,
    );
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
