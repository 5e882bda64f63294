import { randomBytes } from "node:crypto";
import {
  BoundedOutput,
  type CollectResult,
  closeWebSocket,
  rawDataToBuffer,
  type SessionRegistry,
  type StreamSession,
  type WebSocket,
} from "@infra-mcp/core";
import { openPodBridge, type PodTarget } from "./bridges.js";
import type { PortainerClient } from "./config.js";
import { sendStdin } from "./stream.js";

/**
 * Portainer's pod websocket (`/api/websocket/pod`) runs the command with a TTY and passes on only
 * its output: the exit status is dropped, stderr is merged into stdout by the TTY, there is no way
 * to close stdin or to resize, the websocket stays open after the process has ended, and closing
 * it leaves the process running. So the command runs under a small `sh -c` wrapper (Portainer
 * splits the command on spaces only, so the script separates its words with tabs) that prints its
 * PID — the TTY's session leader, so `kill -SIG -PID` reaches the whole process group from a
 * second exec — and, when the command ends, its exit code. Both lines carry a per-run nonce
 * printed as two halves, so a command that prints its own argv (ps) cannot fake them.
 *
 * One-shot: the terminal is put in raw mode first (no echo, no line editing, `\n` left alone) and
 * exactly the stdin's length is fed through `head -c`, so the command sees EOF after it. A
 * session keeps the TTY as it is (echo, `\r\n`): it is for typing into.
 */
export interface PodWrap {
  argv: string[];
  /** The command string sent to Portainer. */
  command: string;
  /** `<nonce>pid:` then the wrapper's PID and a newline. */
  start: Buffer;
  /** `<nonce>:` then the exit code and a newline. */
  exit: Buffer;
}

export function wrapPodCommand(argv: string[], mode: { stdinLength: number } | "session"): PodWrap {
  const a = randomBytes(6).toString("hex");
  const b = randomBytes(6).toString("hex");
  const started = `printf '%s%s:%d\\n' ${a} ${b}pid $$`;
  const ended = `printf '%s%s:%d\\n' ${a} ${b} $?`;
  // A caught signal (unlike an ignored one) is reset for the command: a signal sent to the group
  // ends the command, and the wrapper lives on to print its exit code (128 + the signal).
  const trap = "trap : HUP INT QUIT TERM";
  const body =
    mode === "session"
      ? [trap, started, '"$@"', ended]
      : [trap, "stty raw -echo 2>/dev/null", started, "n=$1", "shift", 'head -c "$n"|"$@"', ended];
  const script = body.join(";").replaceAll(" ", "\t");
  const lengthArg = mode === "session" ? [] : [String(mode.stdinLength)];
  return {
    argv,
    command: ["sh", "-c", script, "sh", ...lengthArg, ...argv].join(" "),
    start: Buffer.from(`${a}${b}pid:`),
    exit: Buffer.from(`${a}${b}:`),
  };
}

/** The command a second exec runs to signal the wrapper's whole process group. */
export function killCommand(pid: number, signal: number | string = "KILL"): string {
  return `kill -${signal} -${pid}`;
}

/**
 * Splits a stream at a marker line (`marker` + digits + \n): bytes before it are output, a
 * marker's possible beginning at the end is held back until the next bytes say what it is.
 */
class MarkerScanner {
  #pending: Buffer = Buffer.alloc(0);
  constructor(readonly marker: Buffer) {}
  /** Returns the bytes that are surely output, and the marker's number once it is complete. */
  push(chunk: Buffer): { out: Buffer; value?: number; rest?: Buffer } {
    const buf = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const at = buf.indexOf(this.marker);
    if (at >= 0) {
      const tail = buf.subarray(at + this.marker.length);
      const m = /^(\d+)\r?\n/.exec(tail.toString("latin1"));
      if (m) {
        this.#pending = Buffer.alloc(0);
        return { out: buf.subarray(0, at), value: Number(m[1]), rest: tail.subarray(m[0].length) };
      }
      if (tail.length < 24 && /^\d*\r?$/.test(tail.toString("latin1"))) {
        this.#pending = buf.subarray(at);
        return { out: buf.subarray(0, at) };
      }
    }
    // Hold the longest end of buf that could begin the marker.
    for (let n = Math.min(this.marker.length - 1, buf.length); n > 0; n--) {
      if (buf.subarray(buf.length - n).equals(this.marker.subarray(0, n))) {
        this.#pending = buf.subarray(buf.length - n);
        return { out: buf.subarray(0, buf.length - n) };
      }
    }
    this.#pending = Buffer.alloc(0);
    return { out: buf };
  }
  /** What is held back, when the stream ends without the marker. */
  flush(): Buffer {
    const p = this.#pending;
    this.#pending = Buffer.alloc(0);
    return p;
  }
}

/**
 * Reads the wrapper's start line, then output until its exit line. `onStart` gets the PID; `onOutput`
 * the command's bytes; `onExit` the exit code. Returns a detach function.
 */
function followWrapper(
  ws: WebSocket,
  wrap: PodWrap,
  on: { start(pid: number): void; output(data: Buffer): void; exit(code: number): void },
): () => void {
  const start = new MarkerScanner(wrap.start);
  const exit = new MarkerScanner(wrap.exit);
  let pid: number | undefined;
  let ended = false;
  const feed = (chunk: Buffer) => {
    if (ended || chunk.length === 0) return;
    if (pid === undefined) {
      // Nothing before the start line is the command's (the shell's own noise, if any).
      const r = start.push(chunk);
      if (r.value === undefined) return;
      pid = r.value;
      on.start(pid);
      return feed(r.rest ?? Buffer.alloc(0));
    }
    const r = exit.push(chunk);
    if (r.out.length) on.output(r.out);
    if (r.value !== undefined) {
      ended = true;
      on.exit(r.value);
    }
  };
  const onMessage = (data: WebSocket.RawData) => feed(rawDataToBuffer(data));
  ws.on("message", onMessage);
  return () => {
    ws.off("message", onMessage);
    if (!ended && pid !== undefined) {
      const held = exit.flush();
      if (held.length) on.output(held);
    }
  };
}

export interface PodRunResult extends CollectResult {
  exitCode: number | null;
  /** The wrapper's PID: it started. */
  pid?: number;
  stdinError?: string;
}

/**
 * Runs a wrapped one-shot command to its exit line (then closes the websocket, which Portainer
 * leaves to the client), the time limit, or cancellation. Output past maxBytes is counted, not stored.
 */
export function runPodOneShot(
  ws: WebSocket,
  wrap: PodWrap,
  options: { stdin?: Buffer | undefined; maxBytes: number; totalTimeoutMs: number; signal: AbortSignal },
): Promise<PodRunResult> {
  const output = new BoundedOutput(options.maxBytes);
  const started = performance.now();
  let pid: number | undefined;
  let stdinError: string | undefined;
  return new Promise((resolve) => {
    let done = false;
    const finish = (endReason: CollectResult["endReason"], exitCode: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
      detach();
      if (endReason === "end-of-stream") void closeWebSocket(ws);
      else if (endReason !== "closed") ws.terminate();
      resolve({
        output,
        endReason,
        durationMs: Math.round(performance.now() - started),
        exitCode,
        ...(pid !== undefined ? { pid } : {}),
        ...(stdinError ? { stdinError } : {}),
      });
    };
    const detach = followWrapper(ws, wrap, {
      start(p) {
        pid = p;
        // Only now is the terminal raw: stdin sent earlier would be echoed and line-edited.
        if (options.stdin?.length) {
          sendStdin(ws, options.stdin).catch((error: Error) => {
            stdinError = error.message;
          });
        }
      },
      output: (data) => output.append(data),
      exit: (code) => finish("end-of-stream", code),
    });
    const onAbort = () => finish("cancelled", null);
    const timer = setTimeout(() => finish("total-timeout", null), options.totalTimeoutMs);
    ws.once("close", () => finish("closed", null));
    ws.on("error", () => finish("closed", null));
    options.signal.addEventListener("abort", onAbort, { once: true });
    if (options.signal.aborted) return finish("cancelled", null);
    ws.resume();
  });
}

/**
 * A pod exec session over a wrapped command: output is the command's (the wrapper's lines taken
 * out); when its exit line arrives the session is marked exited with the code and the websocket
 * closed. `kill(pid, signal)` runs a second exec in the same container: session-signal sends the
 * signal to the process group, session-close kills what still runs before disconnecting
 * (Portainer would leave it running). EOF is Ctrl-D (end of file at the start of a line).
 */
export function openPodSession(
  sessions: SessionRegistry,
  options: {
    label: string;
    ws: WebSocket;
    wrap: PodWrap;
    kill: (pid: number, signal: number | string) => Promise<void>;
  },
): StreamSession {
  const { ws, wrap } = options;
  let pid: number | undefined;
  let exited = false;
  // Input typed before the wrapper has started would be echoed before its start line and lost
  // with it: writes wait for the start line.
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  // The process can run in the pod before its start line (its PID) reaches us: a signal or close
  // in between waits for that line (or the socket's end, at most 10 s) rather than miss the PID.
  const gone = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  const startedOrGone = () => Promise.race([started, gone, new Promise((r) => setTimeout(r, 10_000).unref())]);
  const session = sessions.add("pod-exec", options.label, {
    write: async (data) => {
      await Promise.race([started, new Promise((r) => ws.once("close", r))]);
      if (ws.readyState !== ws.OPEN) throw new Error(`session ${session.id} is no longer connected`);
      await sendStdin(ws, data);
    },
    closeStdin: async () => {
      if (ws.readyState === ws.OPEN) await sendStdin(ws, Buffer.from([4]));
    },
    signal: async (signal) => {
      if (pid === undefined && !exited) await startedOrGone();
      if (pid === undefined || exited) throw new Error(`session ${session.id} has no running process to signal`);
      await options.kill(pid, signal);
    },
    close: async () => {
      if (pid === undefined && !exited) await startedOrGone();
      if (pid !== undefined && !exited) await options.kill(pid, "KILL").catch(() => {});
      await closeWebSocket(ws);
    },
  });
  const detach = followWrapper(ws, wrap, {
    start: (p) => {
      pid = p;
      markStarted();
    },
    output: (data) => session.push(data),
    exit: (code) => {
      exited = true;
      session.markExited(code);
      void closeWebSocket(ws);
    },
  });
  ws.on("error", () => {});
  ws.once("close", () => {
    detach();
    if (!exited) session.markExited(null);
  });
  ws.resume();
  return session;
}

/**
 * Sends a signal to a wrapped command's process group from a second exec in the same container
 * (Portainer has no other way to stop a pod exec).
 */
export async function killPodProcess(
  client: PortainerClient,
  target: PodTarget,
  pid: number,
  signal: number | string,
): Promise<void> {
  const argv = killCommand(pid, signal);
  const wrap = wrapPodCommand(argv.split(" "), { stdinLength: 0 });
  const abort = new AbortController();
  const { ws } = await openPodBridge(client, { ...target, command: argv }, abort.signal, wrap.command);
  const run = await runPodOneShot(ws, wrap, { maxBytes: 4096, totalTimeoutMs: 15_000, signal: abort.signal });
  if (run.exitCode !== 0) {
    throw new Error(
      `${argv} in ${target.podName}/${target.containerName} failed: ${run.output.decode().text.trim() || run.endReason}`,
    );
  }
}
