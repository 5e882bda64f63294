import {
  type CollectResult,
  closeWebSocket,
  collectWebSocket,
  InputError,
  rawDataToBuffer,
  type SessionRegistry,
  type StreamSession,
  sendChunked,
  type WebSocket,
} from "@infra-mcp/core";
import { FRAME_LIMIT } from "./portainer.js";

/** Input shared by the four bridge tools. */
export function stdinBytes(stdin: string | undefined, encoding: "utf8" | "base64"): Buffer | undefined {
  if (stdin === undefined) return undefined;
  if (encoding === "base64") {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(stdin)) throw new InputError("stdin", "is not valid base64");
    return Buffer.from(stdin, "base64");
  }
  return Buffer.from(stdin, "utf8");
}

/** Client frames are binary (raw bytes to stdin) and never larger than Portainer's 2048-byte read limit. */
export function sendStdin(ws: WebSocket, data: Buffer): Promise<void> {
  return sendChunked(ws, data, { chunkSize: FRAME_LIMIT, binary: true });
}

export interface OneShotOptions {
  stdin?: Buffer | undefined;
  maxBytes: number;
  totalTimeoutMs: number;
  signal: AbortSignal;
  /** Turns frames into output before they are counted against maxBytes (attach: strips Docker's headers). */
  transform?: ((frame: Buffer) => Buffer) | undefined;
}

/**
 * Sends stdin (chunked) while collecting output until the bridge closes, the time limit hits or
 * the call is cancelled. Output past maxBytes is counted but not stored (bounded memory).
 */
export async function runOneShot(
  ws: WebSocket,
  options: OneShotOptions,
): Promise<CollectResult & { stdinError?: string }> {
  const collecting = collectWebSocket(ws, {
    maxBytes: options.maxBytes,
    totalTimeoutMs: options.totalTimeoutMs,
    signal: options.signal,
    textFrames: "data",
    onMaxBytes: "drain",
    ...(options.transform ? { transform: options.transform } : {}),
  });
  let stdinError: string | undefined;
  if (options.stdin?.length) {
    await sendStdin(ws, options.stdin).catch((error: Error) => {
      stdinError = error.message;
    });
  }
  const result = await collecting;
  return stdinError ? { ...result, stdinError } : result;
}

export interface BridgeSessionOptions {
  kind: string;
  label: string;
  ws: WebSocket;
  /** Turns raw frames into output bytes (attach: strips Docker's stream headers). */
  transform?: (chunk: Buffer) => Buffer;
  /** What transform still holds when the bridge closes. */
  flush?: () => Buffer;
  /** Runs before the bridge is closed by session-close (exec: ends the process). */
  beforeClose?: () => Promise<void>;
  resize?: (cols: number, rows: number) => Promise<void>;
  /** Called once the bridge closes; returns the exit code when it can be known. */
  exitCode?: () => Promise<number | null | undefined>;
}

/** Wraps an open bridge in a StreamSession: output keeps being buffered (and readable) after exit. */
export function openBridgeSession(sessions: SessionRegistry, options: BridgeSessionOptions): StreamSession {
  const { ws } = options;
  const session = sessions.add(options.kind, options.label, {
    write: async (data) => {
      if (ws.readyState !== ws.OPEN) throw new InputError("sessionId", `session ${session.id} is no longer connected`);
      await sendStdin(ws, data);
    },
    ...(options.resize ? { resize: options.resize } : {}),
    close: async () => {
      await options.beforeClose?.();
      await closeWebSocket(ws);
    },
  });
  ws.on("message", (data: WebSocket.RawData) => {
    const buf = rawDataToBuffer(data);
    session.push(options.transform ? options.transform(buf) : buf);
  });
  ws.on("error", () => {});
  ws.once("close", () => {
    const rest = options.flush?.();
    if (rest?.length) session.push(rest);
    const finish = (code: number | null | undefined) => session.markExited(code);
    if (!options.exitCode) return finish(undefined);
    options.exitCode().then(finish, () => finish(null));
  });
  // connectWebSocket may hand the socket over paused so no early frame is lost: listen, then resume.
  ws.resume();
  return session;
}

export function sessionText(session: StreamSession, what: string): string {
  return `opened ${session.kind} session ${session.id} (${what}). Read output with session-read (offset 0, then nextOffset); send input with session-write; close with session-close.`;
}
