import { collectWebSocket, InputError, type WebSocket } from "@infra-mcp/core";
import { z } from "zod";
import { type IncusOperation, incusCall, operationId, operationPath } from "./api.js";
import type { IncusClient } from "./config.js";
import { openFd } from "./exec.js";

/**
 * Why a socket other than an output one may not be opened by a read-only tool: connecting takes the
 * socket from whoever should hold it, and closing it afterwards acts on the command.
 */
const NOT_OUTPUT: Record<string, string> = {
  control:
    "that secret is the exec's control socket, and closing it makes Incus SIGKILL the command. To signal, resize or end a command, start it with open-exec-session and use session-signal, session-resize or session-close",
  "0": "that secret is the exec's stdin (fd \"0\"; for an interactive exec also its terminal), and closing it ends the command's input. To type into a command or read its terminal, start it with open-exec-session and use session-write and session-read",
};

/**
 * A read-only tool may only read an operation's output sockets (exec fds "1" and "2"). The secret
 * is looked up in the operation's metadata.fds first: control, stdin and anything not listed there
 * are refused before any socket is opened.
 */
export async function assertOutputSecret(
  client: IncusClient,
  id: string,
  secret: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const op = (await incusCall<IncusOperation>(client, { method: "GET", path: operationPath(id), signal })).metadata;
  const fds = op?.metadata?.fds;
  const fd =
    fds && typeof fds === "object"
      ? Object.entries(fds as Record<string, unknown>).find(([, v]) => v === secret)?.[0]
      : undefined;
  if (fd === undefined) {
    throw new InputError(
      "secret",
      'is not one of this operation\'s output sockets (metadata.fds "1" or "2" of a non-interactive exec); only those can be read here',
    );
  }
  const why = NOT_OUTPUT[fd] ?? (fd === "1" || fd === "2" ? undefined : `fd "${fd}" is not an output socket`);
  if (why) throw new InputError("secret", `refused: ${why}.`);
}

export const streamArgs = {
  id: operationId,
  secret: z.string().min(1).describe("From metadata.fds"),
  maxBytes: z.number().int().min(1).max(16_777_216).default(1_048_576),
  idleTimeoutMs: z.number().int().min(0).max(600_000).default(10_000).describe("0 = off"),
  timeoutSeconds: z.number().int().min(1).max(3600).default(60),
};

/**
 * Opens one operation websocket (`?public` for untrusted callers): what get-websocket-stream(-2)
 * read and what their REST upgrade routes hand to the client. Output sockets only (see
 * assertOutputSecret): both are read-only.
 */
export async function openOperationSocket(
  client: IncusClient,
  args: { id: string; secret: string },
  options: { public: boolean },
  signal: AbortSignal,
): Promise<WebSocket> {
  await assertOutputSecret(client, args.id, args.secret, signal);
  // An output socket: opened mute, so no pong of ours can make Node drop its unread output.
  return openFd(client, args.id, args.secret, { public: options.public, output: true, signal });
}

/**
 * How long, and how much, a stopped read keeps draining its socket. A command that stays quiet
 * costs nothing to wait for; one that floods would cost a core, so past either bound the socket is
 * closed after all (the command may then die of SIGPIPE at its next write; the result says so).
 */
const DRAIN_MAX_MS = 600_000;
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Closing an output socket before its stream ends makes the command die of SIGPIPE at its next
 * write (seen on Incus 6.0: exit 141). A read-only read that stops early (cap, timeout, cancel)
 * therefore keeps the socket and discards what still comes, until the stream ends (or a bound).
 */
function drainInBackground(ws: WebSocket): void {
  let drained = 0;
  const stop = () => {
    clearTimeout(ceiling);
    ws.removeAllListeners("message");
    ws.terminate();
  };
  const ceiling = setTimeout(stop, DRAIN_MAX_MS);
  ceiling.unref();
  ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (!isBinary && size === 0) return void ws.close();
    drained += size;
    if (drained > DRAIN_MAX_BYTES) stop();
  });
  ws.once("close", () => {
    clearTimeout(ceiling);
    ws.removeAllListeners("message");
  });
  ws.on("error", () => {});
  ws.resume();
}

/** Reads one operation websocket to its end (empty text frame or close) within the bounds. */
export async function readOperationSocket(
  client: IncusClient,
  args: { id: string; secret: string; maxBytes: number; idleTimeoutMs: number; timeoutSeconds: number },
  options: { public: boolean },
  signal: AbortSignal,
) {
  const ws = await openOperationSocket(client, args, options, signal);
  const r = await collectWebSocket(ws, {
    maxBytes: args.maxBytes,
    idleTimeoutMs: args.idleTimeoutMs,
    totalTimeoutMs: args.timeoutSeconds * 1000,
    signal,
    endOnEmptyText: true,
    onMaxBytes: "close",
    keepOpen: true,
  });
  const stoppedEarly = r.endReason !== "closed" && r.endReason !== "end-of-stream";
  if (stoppedEarly) drainInBackground(ws);
  else ws.close();
  const decoded = r.output.decode();
  const bytes = r.output.totalBytes;
  const note = `${bytes} bytes${r.output.truncated ? ` (truncated to ${r.output.storedBytes})` : ""}, ended by ${r.endReason}${decoded.encoding === "base64" ? ", base64" : ""}`;
  const rest = stoppedEarly
    ? "\nThe stream goes on, but a socket can be read only once: what follows is discarded so the command runs on (up to 64 MiB or 10 min more; past that the socket closes and the command may die of SIGPIPE). For all of it next time, raise maxBytes (up to 16 MiB) or timeoutSeconds, or run the command with exec-in-instance (whole output) or open-exec-session (read by offset)."
    : "";
  return {
    text: `${note}${rest}\n${decoded.text}`,
    structured: {
      id: args.id,
      data: decoded.text,
      encoding: decoded.encoding,
      totalBytes: bytes,
      storedBytes: r.output.storedBytes,
      truncated: r.output.truncated,
      endReason: r.endReason,
      complete: !stoppedEarly,
      durationMs: r.durationMs,
    },
  };
}
