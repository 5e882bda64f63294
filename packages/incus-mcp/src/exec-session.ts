import {
  closeWebSocket,
  InputError,
  rawDataToBuffer,
  type SessionDriver,
  type SessionRegistry,
  type StreamSession,
  sendChunked,
  WebSocket,
} from "@infra-mcp/core";
import type { IncusClient } from "./config.js";
import { CHUNK, connectAll, createExec, type ExecSpec, returnCode } from "./exec.js";
import { waitOperationEnd } from "./wait.js";

/** How long a finishing session waits for fd 0's end-of-stream barrier before closing it anyway. */
const OUTPUT_DRAIN_MS = 10_000;

export interface SessionSpec extends ExecSpec {
  cols: number;
  rows: number;
}

/**
 * An interactive command (PTY) kept open as a core stream session: fd 0 carries both directions,
 * `control` carries window-resize and signals. When the command exits Incus closes `control` and
 * waits for us to close fd 0; then the exit code is read from the operation.
 */
export async function startExecSession(
  client: IncusClient,
  sessions: SessionRegistry,
  spec: SessionSpec,
  signal?: AbortSignal,
): Promise<{ session: StreamSession; operationId: string }> {
  sessions.assertCapacity();
  const op = await createExec(client, spec, { cols: spec.cols, rows: spec.rows }, signal);
  let session: StreamSession | undefined;
  const early: Buffer[] = [];
  let outputEnded = () => {};
  const ended = new Promise<void>((resolve) => {
    outputEnded = resolve;
  });
  const sockets = await connectAll(client, op, ["0", "control"], signal, (name, ws) => {
    if (name !== "0") return;
    ws.once("close", () => outputEnded());
    ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = rawDataToBuffer(data);
      if (!isBinary && buf.length === 0) return outputEnded();
      if (session) session.push(buf);
      else early.push(buf);
    });
  });
  const data = sockets.get("0") as WebSocket;
  const control = sockets.get("control") as WebSocket;
  let finishing: Promise<void> | undefined;
  const finish = () => {
    finishing ??= (async () => {
      await closeWebSocket(control, 1000, 500);
      // Incus closes control as soon as the command exits, while the command's last output may
      // still be on its way on fd 0; it ends with the barrier. Closing fd 0 before it came cut
      // that output off. Incus sends the barrier within about a second of the exit (a command
      // killed by closing control included); the bound only guards against one that never does.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise<void>((r) => (bound = setTimeout(r, OUTPUT_DRAIN_MS)))]);
      clearTimeout(bound);
      await closeWebSocket(data, 1000, 500);
      const waited = await waitOperationEnd(client, op.id, { timeoutSec: 10 }).catch(() => undefined);
      session?.markExited(returnCode(waited?.operation));
    })();
    return finishing;
  };
  // Incus closes `control` when the command exits and keeps the operation Running until WE close
  // fd 0: finish() closes control, drains fd 0 to its barrier, closes it, then reads the exit code.
  control.on("close", () => void finish());
  data.on("close", () => void finish());
  data.on("error", () => {});
  control.on("error", () => {});
  // core's connectWebSocket hands sockets over PAUSED: without resume() no frame (output, close,
  // ping) is ever read, which looked like "nothing flows on fd 0".
  data.resume();
  control.resume();
  const ensureOpen = (ws: WebSocket) => {
    if (ws.readyState !== WebSocket.OPEN) throw new InputError("sessionId", "the session's command has exited");
  };
  const sendJson = (value: unknown) =>
    new Promise<void>((resolve, reject) => {
      ensureOpen(control);
      control.send(JSON.stringify(value), (err) => (err ? reject(err) : resolve()));
    });
  const driver: SessionDriver = {
    async write(bytes) {
      ensureOpen(data);
      await sendChunked(data, bytes, { chunkSize: CHUNK, binary: true });
    },
    // A terminal has no separate stdin to close: end-of-file is ^D at the start of a line.
    async closeStdin() {
      ensureOpen(data);
      await sendChunked(data, Buffer.from([4]), { chunkSize: CHUNK, binary: true });
    },
    resize: (cols, rows) => sendJson({ command: "window-resize", args: { width: String(cols), height: String(rows) } }),
    signal: (n) => sendJson({ command: "signal", signal: n }),
    // Closing control SIGKILLs a command still running; then fd 0 lets the operation finish.
    close: () => finish(),
  };
  session = sessions.add("incus-exec", `${spec.instance}: ${spec.command.join(" ")}`.slice(0, 200), driver);
  for (const b of early) session.push(b);
  return { session, operationId: op.id };
}
