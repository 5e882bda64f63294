import {
  closeWebSocket,
  InputError,
  type SessionRegistry,
  type StreamSession,
  sendChunked,
  type WebSocket,
} from "@infra-mcp/core";
import { closeMeaning, keepAlive } from "./gateway.js";

/**
 * A gateway socket once open: its frames read until enough (one-shot logs and commands), log
 * frames parsed, stdin written, or the socket kept as a session that session-read reads.
 */

type Obj = Record<string, unknown>;

export type EndReason = "closed" | "limit" | "time" | "cancelled";

export interface StreamEnd {
  reason: EndReason;
  closeCode?: number;
  closeReason?: string;
  durationMs: number;
}

/**
 * Reads frames until the gateway closes, `onFrame` says enough, the time bound or the caller's
 * cancel. Ends the connection itself (1000) unless the gateway did. Never rejects.
 */
export function readFrames(
  ws: WebSocket,
  options: { onFrame(data: Buffer, isBinary: boolean): boolean; totalMs: number; signal?: AbortSignal },
): Promise<StreamEnd> {
  const started = Date.now();
  const alive = keepAlive(ws);
  return new Promise<StreamEnd>((resolve) => {
    let done = false;
    const finish = (reason: EndReason, closeCode?: number, closeReason?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      alive.stop();
      options.signal?.removeEventListener("abort", onAbort);
      ws.off("message", onMessage);
      ws.off("close", onClose);
      if (reason !== "closed") void closeWebSocket(ws, 1000);
      resolve({
        reason,
        ...(closeCode !== undefined ? { closeCode } : {}),
        ...(closeReason ? { closeReason } : {}),
        durationMs: Date.now() - started,
      });
    };
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      if (!options.onFrame(toBuffer(data), isBinary)) finish("limit");
    };
    const onClose = (code: number, reason: Buffer) => finish("closed", alive.dead() ? 1006 : code, reason.toString());
    const onAbort = () => finish("cancelled");
    const timer = setTimeout(() => finish("time"), options.totalMs);
    ws.on("message", onMessage);
    ws.on("close", onClose);
    ws.on("error", () => {});
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) return finish("cancelled");
    if (ws.readyState === ws.CLOSED) return finish("closed", 1006);
    ws.resume();
  });
}

export function toBuffer(data: WebSocket.RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** One log message as the gateway sends it: `{created_at (unix ms), message, version, pod_name}`. */
export interface LogLine {
  time: string;
  pod: string;
  message: string;
  version?: string;
}

export function parseLogFrame(data: Buffer): LogLine {
  const raw = data.toString("utf8");
  let m: Obj;
  try {
    m = JSON.parse(raw) as Obj;
  } catch {
    return { time: "?", pod: "?", message: raw };
  }
  const ms = typeof m.created_at === "number" ? m.created_at : Number.NaN;
  return {
    time: Number.isFinite(ms) ? new Date(ms).toISOString() : "?",
    pod: typeof m.pod_name === "string" ? m.pod_name : "?",
    message: typeof m.message === "string" ? m.message.replace(/\r?\n$/, "") : raw,
    ...(typeof m.version === "string" ? { version: m.version } : {}),
  };
}

export const logText = (l: LogLine): string => `${l.time} ${l.pod} ${l.message}`;

/** The CLI reads stdin in 4 KiB chunks and sends each as one binary frame. */
const STDIN_CHUNK = 4096;
/** EOT: what the CLI sends when its stdin ends, so the remote side sees end-of-file. */
export const EOT = Buffer.from([0x04]);

export function sendStdin(ws: WebSocket, data: Buffer): Promise<void> {
  return sendChunked(ws, data, { chunkSize: STDIN_CHUNK, binary: true });
}

/**
 * Keeps a gateway stream open as a session read by offset (session-read). Log frames are stored
 * as text lines; shell output (binary frames) as bytes. A close other than 1000 is written into
 * the output as a last line, so a reader sees why the stream ended.
 */
export function openGatewaySession(
  sessions: SessionRegistry,
  ws: WebSocket,
  kind: "qovery-logs" | "qovery-shell",
  label: string,
): StreamSession {
  const shell = kind === "qovery-shell";
  const session = sessions.add(kind, label, {
    write: async (data) => {
      if (!shell) throw new InputError("sessionId", "a log stream takes no input");
      if (ws.readyState !== ws.OPEN) throw new InputError("sessionId", `session ${session.id} is no longer connected`);
      await sendStdin(ws, data);
    },
    ...(shell
      ? {
          closeStdin: async () => {
            if (ws.readyState === ws.OPEN) await sendStdin(ws, EOT);
          },
          resize: async () => {
            throw new InputError(
              "sessionId",
              "Qovery's gateway sets the TTY size only when the shell opens (tty_width/tty_height); close this session and open a new one with cols/rows",
            );
          },
        }
      : {}),
    close: () => closeWebSocket(ws),
  });
  const alive = keepAlive(ws);
  ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
    const buf = toBuffer(data);
    if (!shell) session.push(Buffer.from(`${logText(parseLogFrame(buf))}\n`));
    else if (isBinary) session.push(buf);
  });
  ws.on("error", () => {});
  ws.once("close", (code: number, reason: Buffer) => {
    const meaning = closeMeaning(alive.dead() ? 1006 : code, reason.toString());
    if (!meaning.normal) session.push(Buffer.from(`${shell ? "\r\n" : ""}[${meaning.text}]\n`));
    session.markExited(null);
  });
  ws.resume();
  return session;
}
