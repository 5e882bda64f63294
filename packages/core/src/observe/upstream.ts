import { current, state } from "./state.js";

/**
 * One upstream request (each attempt of a retried one): counted and timed with metrics on; with
 * tracing on, a child span of the call whose traceparent the request carries upstream.
 */
export function observeUpstream(
  request: Request,
  send: () => Promise<Response>,
  server: string | undefined,
): Promise<Response> {
  return observeOpen(
    server,
    request.method,
    new URL(request.url).host,
    (tp) => request.headers.set("traceparent", tp),
    send,
    (r) => r.status,
  );
}

/** An upstream websocket handshake, like a request (status 101 or error); `headers` get the traceparent. */
export function observeUpstreamSocket<T>(
  server: string | undefined,
  host: string,
  headers: Record<string, string>,
  open: () => Promise<T>,
): Promise<T> {
  return observeOpen(
    server,
    "WEBSOCKET",
    host,
    (tp) => {
      headers.traceparent = tp;
    },
    open,
    () => 101,
  );
}

function observeOpen<T>(
  server: string | undefined,
  method: string,
  host: string,
  inject: (traceparent: string) => void,
  open: () => Promise<T>,
  statusOf: (value: T) => number,
): Promise<T> {
  const s = state();
  if (!s?.metrics && !s?.tracing) return open();
  const started = performance.now();
  const call = current.getStore();
  const span = s.tracing?.startChild(call?.span, method === "WEBSOCKET" ? "websocket" : `HTTP ${method}`, {
    "http.request.method": method === "WEBSOCKET" ? "GET" : method,
    "server.address": host,
  });
  const traceparent = span ? s.tracing?.traceparent(span) : undefined;
  if (traceparent) inject(traceparent);
  const finish = (status: string, ok: boolean) => {
    s.metrics?.upstream(server ?? call?.server ?? "unknown", method, status, (performance.now() - started) / 1000);
    if (span) s.tracing?.end(span, ok, { "http.response.status_code": status });
  };
  return open().then(
    (value) => {
      const status = statusOf(value);
      finish(String(status), status < 400);
      return value;
    },
    (error: unknown) => {
      finish("error", false);
      throw error;
    },
  );
}

/** An MCP session (kind "sessions") or a stream session ("stream") of `server` opened (+1) or ended (-1). */
export function observeGauge(kind: "sessions" | "stream", server: string, delta: 1 | -1): void {
  const m = state()?.metrics;
  if (!m) return;
  (kind === "sessions" ? m.sessions : m.streamSessions).inc({ server }, delta);
}
