import WebSocket from "ws";
import { applyAuth } from "../base/credentials.js";
import { CancelledError, UpstreamHttpError, UpstreamTimeoutError, UpstreamUnavailableError } from "../base/errors.js";
import { observeUpstreamSocket } from "../observe/observer.js";
import { BoundedOutput } from "../streams/output.js";
import { guardUpstreamWrite } from "./dry-run.js";
import { describeBody } from "./response.js";
import { type ResolvedUpstream, tlsConnectOptions } from "./upstream.js";

export { WebSocket };

export interface ConnectOptions {
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** Handshake timeout (ms). */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Largest single incoming frame accepted (bytes). */
  maxPayload?: number;
  /**
   * Answer the server's pings (default true). Pass false for a socket that only carries output
   * until the server drops it: every frame we write there can meet the server's close, and a
   * write that fails (EPIPE, ECONNRESET) makes Node destroy the socket with the output still
   * unread in the kernel's buffer. A server that needs no pongs (Incus) loses nothing by it.
   */
  autoPong?: boolean;
}

/** A frame as `ws` delivers it (Buffer, ArrayBuffer or fragments) as one Buffer. */
export function rawDataToBuffer(data: WebSocket.RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** Websocket URL for an upstream path: ws(s):// for TCP, ws+unix:// for a unix socket. */
export function websocketUrl(
  upstream: ResolvedUpstream,
  path: string,
  query?: Record<string, string | undefined>,
): URL {
  const http = new URL(path.replace(/^\//, ""), upstream.origin);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) http.searchParams.set(k, v);
  applyAuth(upstream.auth?.ws, {}, http);
  if (upstream.socketPath) {
    return new URL(`ws+unix://${upstream.socketPath}:${http.pathname}${http.search}`);
  }
  const ws = new URL(http);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
  return ws;
}

/**
 * Opens a websocket to the upstream with the bound credential, TLS and socket settings, and
 * resolves once it is open. A refused upgrade becomes an UpstreamHttpError with the status and the
 * upstream's message, so "401" and "404" read the same as on REST calls.
 *
 * The socket is returned PAUSED: frames that arrive with the upgrade response would otherwise be
 * emitted before the caller has attached its listeners, and lost. Attach "message"/"close"
 * listeners, then call `ws.resume()` (collectWebSocket does this itself).
 */
export function connectWebSocket(
  upstream: ResolvedUpstream,
  path: string,
  options: ConnectOptions = {},
): Promise<WebSocket> {
  guardUpstreamWrite("GET", path.split("?")[0] ?? path, options.query, undefined, true);
  const url = websocketUrl(upstream, path, options.query);
  const headers: Record<string, string> = { ...options.headers };
  applyAuth(
    upstream.auth?.ws?.filter((p) => p.in === "header"),
    headers,
    new URL("http://x"),
  );
  const timeoutMs = options.timeoutMs ?? upstream.timeoutMs;
  const shownPath = new URL(path.replace(/^\//, ""), upstream.origin).pathname;
  const host = new URL(upstream.origin).host;
  return observeUpstreamSocket(
    upstream.server,
    host,
    headers,
    () =>
      new Promise<WebSocket>((resolve, reject) => {
        if (options.signal?.aborted) return reject(new CancelledError(`Websocket ${shownPath}`));
        const ws = new WebSocket(url, {
          headers,
          handshakeTimeout: timeoutMs,
          perMessageDeflate: false,
          maxPayload: options.maxPayload ?? 64 * 1024 * 1024,
          autoPong: options.autoPong ?? true,
          ...tlsConnectOptions(upstream.tls),
        });
        let settled = false;
        const onAbort = () => fail(new CancelledError(`Websocket ${shownPath}`));
        // ws's handshakeTimeout is a socket idle timeout, which the TLS ClientHello restarts: a
        // server that never completes the handshake took about twice as long. This one is the deadline.
        const deadline =
          timeoutMs > 0
            ? setTimeout(
                () =>
                  fail(new UpstreamTimeoutError(`Websocket handshake with ${upstream.name} (${shownPath})`, timeoutMs)),
                timeoutMs,
              )
            : undefined;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          options.signal?.removeEventListener("abort", onAbort);
          ws.removeAllListeners();
          ws.on("error", () => {});
          ws.terminate();
          reject(error);
        };
        options.signal?.addEventListener("abort", onAbort, { once: true });
        ws.once("open", () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          options.signal?.removeEventListener("abort", onAbort);
          ws.removeAllListeners("unexpected-response");
          ws.pause();
          resolve(ws);
        });
        ws.once("unexpected-response", (_req, res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            if (size < 4096) chunks.push(c);
            size += c.length;
          });
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // plain text body
            }
            fail(new UpstreamHttpError("GET", `${shownPath} (websocket)`, res.statusCode ?? 0, describeBody(body)));
          });
          res.on("error", () =>
            fail(new UpstreamHttpError("GET", `${shownPath} (websocket)`, res.statusCode ?? 0, "")),
          );
        });
        ws.once("error", (error: Error & { code?: string }) => {
          if (/timeout/i.test(error.message)) {
            fail(new UpstreamTimeoutError(`Websocket handshake with ${upstream.name} (${shownPath})`, timeoutMs));
          } else {
            fail(
              new UpstreamUnavailableError(
                `Cannot open websocket to ${upstream.name} at ${upstream.where} (${shownPath}): ${error.code ?? error.message}`,
              ),
            );
          }
        });
      }),
  );
}

export type EndReason = "closed" | "end-of-stream" | "idle-timeout" | "total-timeout" | "max-bytes" | "cancelled";

export interface CollectOptions {
  maxBytes: number;
  /** Stop when nothing arrives for this long (ms); 0 = no idle limit. */
  idleTimeoutMs?: number;
  /** Stop after this long in total (ms). */
  totalTimeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Incus: an empty text frame marks the end of the stream. */
  endOnEmptyText?: boolean;
  /** What to do with non-empty text frames: Portainer sends all output as text. */
  textFrames?: "data" | "ignore";
  /** Close the socket once the cap is reached (default) or keep draining and counting. */
  onMaxBytes?: "close" | "drain";
  /** Leave the socket open when collection ends for a reason other than close. */
  keepOpen?: boolean;
  /**
   * Turns each data frame into the output it carries (e.g. strips a vendor's framing) before it
   * is counted and stored, so `maxBytes` and the totals are about payload alone.
   */
  transform?: (frame: Buffer) => Buffer;
}

export interface CollectResult {
  output: BoundedOutput;
  endReason: EndReason;
  closeCode?: number;
  durationMs: number;
}

/** Collects data frames from an open websocket until it ends or a bound hits. Never rejects. */
export function collectWebSocket(ws: WebSocket, options: CollectOptions): Promise<CollectResult> {
  const output = new BoundedOutput(options.maxBytes);
  const started = performance.now();
  return new Promise<CollectResult>((resolve) => {
    let idleTimer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (endReason: EndReason, closeCode?: number) => {
      if (done) return;
      done = true;
      clearTimeout(totalTimer);
      clearTimeout(idleTimer);
      options.signal?.removeEventListener("abort", onAbort);
      ws.off("message", onMessage);
      ws.off("close", onClose);
      ws.off("error", onError);
      if (endReason !== "closed" && !options.keepOpen) ws.terminate();
      resolve({
        output,
        endReason,
        ...(closeCode !== undefined ? { closeCode } : {}),
        durationMs: Math.round(performance.now() - started),
      });
    };
    const armIdle = () => {
      if (!options.idleTimeoutMs) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish("idle-timeout"), options.idleTimeoutMs);
    };
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = rawDataToBuffer(data);
      if (!isBinary) {
        if (buf.length === 0 && options.endOnEmptyText) return finish("end-of-stream");
        if (options.textFrames === "ignore") return;
      }
      armIdle();
      const out = options.transform ? options.transform(buf) : buf;
      if (!output.append(out) && (options.onMaxBytes ?? "close") === "close") finish("max-bytes");
    };
    // 1006 (dropped without a close frame) is how Incus ends a non-interactive exec stream.
    const onClose = (code: number) => finish("closed", code);
    const onError = () => finish("closed", 1006);
    const onAbort = () => finish("cancelled");
    const totalTimer = setTimeout(() => finish("total-timeout"), options.totalTimeoutMs);
    ws.on("message", onMessage);
    ws.on("close", onClose);
    ws.on("error", onError);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) return finish("cancelled");
    if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return finish("closed", 1006);
    armIdle();
    ws.resume();
  });
}

/**
 * Writes bytes in frames of at most `chunkSize`, waiting for each to be flushed so a large stdin
 * never piles up in memory (Portainer reads at most 2048 bytes per frame).
 */
export async function sendChunked(
  ws: WebSocket,
  data: Buffer,
  options: { chunkSize: number; binary: boolean },
): Promise<void> {
  for (let i = 0; i < data.length; i += options.chunkSize) {
    const part = data.subarray(i, i + options.chunkSize);
    await new Promise<void>((resolve, reject) =>
      ws.send(part, { binary: options.binary }, (err) => (err ? reject(err) : resolve())),
    );
  }
}

/** Closes gracefully, falling back to terminate if the peer does not answer the close. */
export function closeWebSocket(ws: WebSocket, code = 1000, graceMs = 1_000): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, graceMs);
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code);
    } catch {
      ws.terminate();
    }
  });
}
