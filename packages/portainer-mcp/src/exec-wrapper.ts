import { randomBytes } from "node:crypto";
import {
  BoundedOutput,
  type CollectResult,
  type EndReason,
  rawDataToBuffer,
  sendChunked,
  type WebSocket,
} from "@infra-mcp/core";
import type { PortainerClient } from "./config.js";
import { createExec, dockerPath, FRAME_LIMIT, inspectExec } from "./portainer.js";

/**
 * The sh wrapper that makes an exec through Portainer's bridge exact, with a handshake instead of
 * pauses, and killable.
 *
 * Portainer 2.23's exec bridge (api/http/handler/websocket/hijack.go) loses output at both ends:
 * bytes that arrive with Docker's 101 answer are read into a bufio.Reader it then drops, and when
 * the Docker stream ends it closes the websocket while the last read may still be unsent. It also
 * never closes its connection to Docker when the client goes away, and Docker does not end an
 * exec whose client left: closing the websocket leaves the process running.
 *
 * So the wrapper
 * 1. waits for a line on stdin (GO) before it prints anything. Portainer forwards client frames
 *    only once it has read the 101, so nothing the command prints can reach that dropped buffer;
 *    the POSIX `read` builtin reads a pipe byte by byte, so it takes exactly that line;
 * 2. prints a start mark with its PID (in the container's PID namespace; an exec is its own
 *    process group, so `kill -9 -PID` ends it and everything it started);
 * 3. one-shot only: after the command, prints an end mark with its exit status and waits for
 *    another line (ACK) before exiting — the client has the whole output before the stream can
 *    end and the racy close can happen.
 * A session `exec`s the command after the start mark (same PID).
 *
 * The marks carry a random nonce: the command's own output cannot forge them.
 */

export const GO = Buffer.from("\n");

export interface WrapOptions {
  /** Bytes of stdin to feed the command, then end-of-file (head -c); undefined: no stdin at all. */
  stdinLength?: number | undefined;
  /** stdin stays open for the command (no head -c); only when stdinLength is undefined. */
  keepStdin?: boolean;
  mergeStderr: boolean;
  tty: boolean;
  mode: "once" | "session";
}

export interface Wrapped {
  cmd: string[];
  nonce: string;
}

export function wrapCommand(argv: string[], o: WrapOptions): Wrapped {
  const nonce = randomBytes(8).toString("hex");
  const start = `IFS= read -r _ || exit 125; printf '\\036${nonce}+%s\\n' "$$"`;
  // A TTY already merges stderr; without a TTY Portainer's Tty:true start drops it unless merged.
  const merge = o.mergeStderr && !o.tty ? " 2>&1" : "";
  if (o.mode === "session") {
    return { nonce, cmd: ["sh", "-c", `${start}; exec "$@"${merge}`, "sh", ...argv] };
  }
  const eof = o.stdinLength !== undefined && !o.tty;
  const input = eof ? 'head -c "$0" | ' : "";
  // No stdin given: the command must not read the handshake's pipe (it would never see EOF).
  const noInput = o.stdinLength === undefined && !o.keepStdin && !o.tty ? " </dev/null" : "";
  const script = `${start}; ${input}"$@"${merge}${noInput}; s=$?; printf '\\036${nonce}=%s\\n' "$s"; IFS= read -r _; exit $s`;
  return { nonce, cmd: ["sh", "-c", script, eof ? String(o.stdinLength) : "sh", ...argv] };
}

export interface MarkEvents {
  /** Output bytes of the command (marks and what precedes the start mark removed). */
  data(chunk: Buffer): void;
  started?(pid: number): void;
  ended?(exitCode: number): void;
}

const RS = 0x1e;

/**
 * Finds the marks in the output stream, across frame boundaries. Before the start mark only the
 * TTY's echo of GO (or sh's own error when the wrapper cannot run) comes: it is held, and given
 * back by `flush` if no start mark ever came.
 */
export class MarkScanner {
  readonly #start: RegExp;
  readonly #end: RegExp;
  readonly #prefix: Buffer;
  #pending: Buffer = Buffer.alloc(0);
  #state: "before" | "running" | "ended" = "before";
  readonly #events: MarkEvents;

  constructor(nonce: string, events: MarkEvents) {
    this.#prefix = Buffer.from(`\x1e${nonce}`);
    this.#start = new RegExp(`\\x1e${nonce}\\+(\\d+)\\r?\\n`);
    this.#end = new RegExp(`\\x1e${nonce}=(\\d+)\\r?\\n`);
    this.#events = events;
  }

  get state(): "before" | "running" | "ended" {
    return this.#state;
  }

  push(chunk: Buffer): void {
    if (this.#state === "ended") return;
    let buf = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    if (this.#state === "before") {
      // latin1 keeps one char per byte, so match offsets are byte offsets.
      const m = this.#start.exec(buf.toString("latin1"));
      if (!m) {
        this.#pending = buf.length > 65_536 ? buf.subarray(buf.length - 65_536) : buf;
        return;
      }
      this.#state = "running";
      this.#events.started?.(Number(m[1]));
      buf = buf.subarray(m.index + m[0].length);
    }
    const m = this.#end.exec(buf.toString("latin1"));
    if (m) {
      if (m.index > 0) this.#events.data(buf.subarray(0, m.index));
      this.#state = "ended";
      this.#events.ended?.(Number(m[1]));
      return;
    }
    // Hold back a tail that could be the start of the end mark.
    const keep = this.#heldTail(buf);
    if (buf.length > keep) this.#events.data(buf.subarray(0, buf.length - keep));
    if (keep) this.#pending = Buffer.from(buf.subarray(buf.length - keep));
  }

  /** The stream ended: give back what was held (no mark came to explain it). */
  flush(): void {
    if (this.#pending.length && this.#state !== "ended") this.#events.data(this.#pending);
    this.#pending = Buffer.alloc(0);
  }

  #heldTail(buf: Buffer): number {
    const from = buf.lastIndexOf(RS);
    if (from < 0) return 0;
    const tail = buf.subarray(from);
    const head = tail.subarray(0, Math.min(tail.length, this.#prefix.length));
    if (!head.equals(this.#prefix.subarray(0, head.length))) return 0;
    // Prefix, then "=" digits and an optional CR: still possibly the mark.
    if (tail.length > this.#prefix.length && !/^=\d*\r?$/.test(tail.subarray(this.#prefix.length).toString("latin1")))
      return 0;
    return tail.length;
  }
}

/** Sends one handshake line (GO or ACK) as a binary frame; a closed socket is no error here. */
export function sendLine(ws: WebSocket): void {
  if (ws.readyState === ws.OPEN) ws.send(GO, { binary: true }, () => {});
}

/**
 * Ends an exec's process group (and, should it have left the group, the process itself) with
 * SIGKILL through a second exec, then waits until Docker reports the exec stopped. Portainer gives
 * no other way: closing the websocket leaves the process running.
 */
export async function killExec(
  client: PortainerClient,
  endpointId: number,
  exec: { containerId: string; execId: string; pid: number },
  waitMs = 5_000,
): Promise<{ exitCode: number | null; running: boolean }> {
  // An exec that has ended may have left its PID to another process: kill only a running one.
  const before = await inspectExec(client, endpointId, exec.execId);
  if (!before.running) return before;
  const killer = await createExec(
    client,
    endpointId,
    exec.containerId,
    {
      cmd: ["sh", "-c", 'kill -9 -"$0" 2>/dev/null; kill -9 "$0" 2>/dev/null; :', String(exec.pid)],
      tty: false,
      attachStdin: false,
    },
    AbortSignal.timeout(client.upstream.timeoutMs),
  );
  await client.http.request({
    method: "POST",
    path: dockerPath(endpointId, `exec/${killer}/start`),
    body: { Detach: true, Tty: false },
    retry: false,
  });
  // Wait for the killer too: a caller that looks at the container next sees neither.
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [state, own] = await Promise.all([
      inspectExec(client, endpointId, exec.execId),
      inspectExec(client, endpointId, killer),
    ]);
    if ((!state.running && !own.running) || Date.now() >= deadline) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface MarkedRunOptions {
  stdin?: Buffer | undefined;
  maxBytes: number;
  totalTimeoutMs: number;
  signal: AbortSignal;
}

export interface MarkedRun extends CollectResult {
  stdinError?: string;
  /** The wrapper's PID, once its start mark came. */
  pid?: number;
  /** The command's exit status, from the end mark. */
  exitCode?: number;
}

/**
 * One-shot run of a wrapped exec: GO, stdin, output up to the end mark (past maxBytes counted, not
 * kept), then ACK so the wrapper may exit. Ends early on close, the time limit or cancellation.
 * Never rejects.
 */
export function runMarked(ws: WebSocket, nonce: string, options: MarkedRunOptions): Promise<MarkedRun> {
  const output = new BoundedOutput(options.maxBytes);
  const started = performance.now();
  let pid: number | undefined;
  let exitCode: number | undefined;
  let stdinError: string | undefined;
  return new Promise<MarkedRun>((resolve) => {
    let done = false;
    const finish = (endReason: EndReason, closeCode?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
      ws.off("message", onMessage);
      ws.off("close", onClose);
      if (endReason === "closed") scanner.flush();
      // After the end mark the close frame follows ACK, so Portainer has forwarded ACK to the
      // wrapper before it tears the bridge down; otherwise the process is the caller's to end.
      if (endReason === "end-of-stream") ws.close(1000);
      else if (endReason !== "closed") ws.terminate();
      resolve({
        output,
        endReason,
        ...(closeCode !== undefined ? { closeCode } : {}),
        durationMs: Math.round(performance.now() - started),
        ...(stdinError ? { stdinError } : {}),
        ...(pid !== undefined ? { pid } : {}),
        ...(exitCode !== undefined ? { exitCode } : {}),
      });
    };
    const scanner = new MarkScanner(nonce, {
      data: (chunk) => output.append(chunk),
      started: (p) => {
        pid = p;
      },
      ended: (code) => {
        exitCode = code;
        sendLine(ws);
        finish("end-of-stream");
      },
    });
    const onMessage = (data: WebSocket.RawData) => scanner.push(rawDataToBuffer(data));
    const onClose = (code: number) => finish("closed", code);
    const onAbort = () => finish("cancelled");
    const timer = setTimeout(() => finish("total-timeout"), options.totalTimeoutMs);
    ws.on("message", onMessage);
    ws.on("close", onClose);
    ws.on("error", () => {});
    options.signal.addEventListener("abort", onAbort, { once: true });
    if (options.signal.aborted) return finish("cancelled");
    ws.resume();
    sendLine(ws);
    if (options.stdin?.length) {
      sendChunked(ws, options.stdin, { chunkSize: FRAME_LIMIT, binary: true }).catch((error: Error) => {
        stdinError = error.message;
      });
    }
  });
}
