import { z } from "zod";
import { openAttachBridge } from "../bridges.js";
import { portainer } from "../builder.js";
import { DockerStreamDemuxer } from "../docker-stream.js";
import { outputResult, truncNote } from "../output.js";
import { resizeTty } from "../portainer.js";
import { endpointId, maxOutputBytes, nodeName, session, stdin, stdinEncoding, unlisted } from "../schemas.js";
import { openBridgeSession, runOneShot, sessionText, stdinBytes } from "../stream.js";

export const attachWebsocket = portainer.tool({
  name: "attach-websocket",
  title: "Attach to a running container",
  description:
    "Attach to a running container's main process via Portainer; returns its new output (no earlier logs; non-UTF-8 " +
    "bytes lost) for listenMs or until it exits. stdin goes to that process. Closing a session:true attachment " +
    "detaches without stopping the container.",
  toolset: "exec",
  inputSchema: z.object({
    endpointId,
    id: z.string().min(1).max(256).meta(unlisted).describe("Container id or name"),
    nodeName,
    stdin,
    stdinEncoding,
    listenMs: z.number().int().min(100).max(600_000).default(5_000),
    maxOutputBytes,
    session,
  }),
  hints: "destructive",
  opensSession: "optional",
  confirm: (args) => `attach to container ${args.id} (Portainer endpoint ${args.endpointId}) and send it stdin`,
  async handler(args, ctx) {
    const client = ctx.client;
    const input = stdinBytes(args.stdin, args.stdinEncoding);
    if (args.session) ctx.sessions.assertCapacity();
    const { container: info, ws } = await openAttachBridge(client, args, ctx.signal);
    const demux = info.tty ? undefined : new DockerStreamDemuxer();
    const transform = demux ? (b: Buffer) => demux.push(b) : undefined;

    if (args.session) {
      const s = openBridgeSession(ctx.sessions, {
        kind: "attach",
        label: `attach ${info.name || info.id.slice(0, 12)} (endpoint ${args.endpointId})`,
        ws,
        ...(transform ? { transform } : {}),
        resize: (cols, rows) => resizeTty(client, args.endpointId, { containerId: info.id }, cols, rows),
      });
      if (input?.length) await s.driver.write(input);
      return {
        text: sessionText(s, `container ${info.name || info.id}`),
        structured: { sessionId: s.id, containerId: info.id, tty: info.tty },
      };
    }

    const run = await runOneShot(ws, {
      stdin: input,
      maxBytes: args.maxOutputBytes,
      totalTimeoutMs: args.listenMs,
      signal: ctx.signal,
      // Headers stripped as frames arrive: outputBytes and maxOutputBytes count the payload only.
      transform,
    });
    const result = outputResult(run, { containerId: info.id, tty: info.tty });
    const why =
      run.endReason === "total-timeout"
        ? `listened ${args.listenMs} ms`
        : "stream ended (container stopped or detached)";
    return {
      text: `${why} · ${result.outputBytes} bytes${truncNote(result)}\n${result.output}`,
      structured: result,
    };
  },
});
