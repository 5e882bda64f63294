import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import type { Span } from "@opentelemetry/api";
import { InfraMcpError } from "../errors.js";
import { log } from "../logger.js";
import { AuditLog, AuditUnavailable } from "./audit.js";
import type { Metrics } from "./metrics.js";
import { auditArgs, targetOf, upstreamIds } from "./record.js";
import type { Tracing, TracingConfig } from "./tracing.js";

/**
 * The hooks every call path reports to: the audit log and the metrics. With neither configured
 * (the default) each hook is one check of a module variable; prom-client is loaded only when a
 * metrics port is set. The entry (runCli, the gateway's cli) reads the environment into an
 * ObserveConfig and calls startObserving once, before it serves.
 */
export interface ObserveConfig {
  /** MCP_AUDIT_LOG: a file path, or "stderr". */
  auditLog?: string;
  /** MCP_AUDIT_READS: read-only calls are audited too. */
  auditReads?: boolean;
  /** --metrics-port / MCP_METRICS_PORT. */
  metricsPort?: number;
  /** MCP_METRICS_HOST (default 127.0.0.1). */
  metricsHost?: string;
  /** Set when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is: OpenTelemetry is loaded only then. */
  tracing?: TracingConfig;
}

export type Transport = "stdio" | "http" | "rest";

/** Who called: `user:<sub>` / `client:<id>` (OAuth), `local:<os user>` (stdio), else the address. */
export interface Caller {
  id?: string;
  /** A per-user upstream credential, as a short hash (never the value). */
  credential?: string;
}

export interface CallInfo {
  server: string;
  /** The tool, or for REST the route ("POST /v1/..."), with `tool` naming the tool it runs. */
  tool: string;
  route?: string;
  transport: Transport;
  caller?: Caller | undefined;
  readOnly: boolean;
  args: unknown;
  /** A websocket passthrough session rather than one call. */
  kind?: "call" | "websocket";
  /** The caller's W3C traceparent (params._meta.traceparent, or the HTTP header). */
  traceparent?: string | undefined;
}

export interface CallOutcome {
  ok: boolean;
  error?: string;
  structured?: Record<string, unknown> | undefined;
}

/** One observed call: `run` its work (upstream requests then know their server), `done` once. */
export interface ObservedCall {
  run<T>(work: () => T): T;
  done(outcome: CallOutcome): void;
}

const NOOP: ObservedCall = { run: (work) => work(), done() {} };

/** The call running, for the upstream requests it makes (set only with metrics or tracing on). */
const current = new AsyncLocalStorage<{ server: string; span: Span | undefined }>();

interface State {
  audit?: AuditLog;
  auditReads: boolean;
  metrics?: Metrics;
  tracing?: Tracing;
}

let state: State | undefined;

/** The audit log refused the record: shown to the caller as a refusal naming the audit log. */
export class AuditRefusal extends InfraMcpError {
  constructor(message: string) {
    super("CONFIG", message);
  }
}

/** The caller of a stdio server: the OS user that started it. */
export function localCaller(): Caller {
  let name = "unknown";
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the uid still says who.
    name = String(process.getuid?.() ?? "unknown");
  }
  return { id: `local:${name}` };
}

/** The caller of a network request from its OAuth subject and per-user credential digest. */
export function networkCaller(subject: string | undefined, credential: Buffer | undefined): Caller | undefined {
  if (!state?.audit) return undefined;
  return {
    ...(subject ? { id: subject } : {}),
    ...(credential ? { credential: credential.toString("hex").slice(0, 12) } : {}),
  };
}

/** Starts what the config asks for; returns a stop function. Loads prom-client only for metrics. */
export async function startObserving(config: ObserveConfig): Promise<() => Promise<void>> {
  if (!config.auditLog && config.metricsPort === undefined && !config.tracing) return async () => {};
  const next: State = { auditReads: config.auditReads ?? false };
  if (config.auditLog) {
    const audit = new AuditLog(config.auditLog);
    next.audit = audit;
    // Rotation: the operator moves the file and sends SIGHUP; the next record opens a new one.
    process.on("SIGHUP", () => audit.reopen());
  }
  let stopMetrics = async () => {};
  if (config.metricsPort !== undefined) {
    const { Metrics } = await import("./metrics.js");
    const metrics = new Metrics();
    next.metrics = metrics;
    stopMetrics = await metrics.serve(config.metricsPort, config.metricsHost ?? "127.0.0.1");
  }
  if (config.tracing) {
    const { Tracing } = await import("./tracing.js");
    next.tracing = new Tracing(config.tracing);
  }
  state = next;
  return async () => {
    if (state === next) state = undefined;
    next.audit?.close();
    await stopMetrics();
    await next.tracing?.shutdown();
  };
}

/** The metrics, when configured (for the upstream and session hooks). */
export function metrics(): Metrics | undefined {
  return state?.metrics;
}

/**
 * Before a call goes upstream: the intent record, written (and in the kernel) before this returns.
 * Throws AuditRefusal when the call must be audited and the log cannot take the record.
 */
export function observeCall(info: CallInfo): ObservedCall {
  const s = state;
  if (!s) return NOOP;
  const started = performance.now();
  const audited = s.audit && (!info.readOnly || s.auditReads);
  const id = audited ? randomUUID() : "";
  if (audited && s.audit) {
    try {
      s.audit.write({
        time: new Date().toISOString(),
        id,
        event: info.kind === "websocket" ? "session-open" : "intent",
        server: info.server,
        ...(info.route ? { route: info.route } : {}),
        tool: info.tool,
        transport: info.transport,
        ...(info.caller ? { caller: info.caller } : {}),
        ...(targetOf(info.args) ? { target: targetOf(info.args) } : {}),
        args: auditArgs(info.args),
        readOnly: info.readOnly,
      });
    } catch (error) {
      if (!(error instanceof AuditUnavailable)) throw error;
      // Reads go on when the log is down; only what it must record is refused.
      if (!info.readOnly) {
        s.metrics?.outcome(info.server, info.tool, "refused", 0);
        throw new AuditRefusal(error.message);
      }
    }
  }
  let finished = false;
  const span = s.tracing?.startCall(
    info.route ?? info.tool,
    { "mcp.server": info.server, "mcp.tool": info.tool, "mcp.transport": info.transport },
    info.traceparent,
  );
  return {
    run: (work) => (s.metrics || span ? current.run({ server: info.server, span }, work) : work()),
    done(outcome) {
      if (finished) return;
      finished = true;
      const ms = performance.now() - started;
      if (span) s.tracing?.end(span, outcome.ok, { "mcp.outcome": outcome.ok ? "ok" : "error" });
      s.metrics?.outcome(info.server, info.tool, outcome.ok ? "ok" : "error", ms / 1000);
      if (!audited || !s.audit) return;
      const ids = upstreamIds(outcome.structured);
      try {
        s.audit.write({
          time: new Date().toISOString(),
          id,
          event: info.kind === "websocket" ? "session-close" : "outcome",
          server: info.server,
          tool: info.tool,
          outcome: outcome.ok ? "ok" : "error",
          ...(outcome.error ? { error: outcome.error.slice(0, 2000) } : {}),
          durationMs: Math.round(ms * 1000) / 1000,
          ...(ids ? { upstream: ids } : {}),
        });
      } catch {
        // The intent is on disk; the log's failure is already reported and refuses the next write.
      }
    },
  };
}

/** A refusal (authentication, scope, declined confirmation, a tool not served): audited always. */
export function observeRefusal(info: {
  server?: string | undefined;
  tool?: string | undefined;
  route?: string | undefined;
  transport: Transport;
  caller?: Caller | undefined;
  reason: "authentication" | "scope" | "confirmation" | "not-served" | "host-or-origin";
  status?: number;
  detail?: string | undefined;
}): void {
  const s = state;
  if (!s) return;
  if (info.reason !== "confirmation" && info.reason !== "not-served") s.metrics?.authRefusal(info.reason);
  if (!s.audit) return;
  try {
    s.audit.write({
      time: new Date().toISOString(),
      id: randomUUID(),
      event: "refused",
      ...(info.server ? { server: info.server } : {}),
      ...(info.route ? { route: info.route } : {}),
      ...(info.tool ? { tool: info.tool } : {}),
      transport: info.transport,
      ...(info.caller ? { caller: info.caller } : {}),
      reason: info.reason,
      ...(info.status ? { status: info.status } : {}),
      ...(info.detail ? { detail: info.detail.slice(0, 500) } : {}),
    });
  } catch {
    // Already refused; a log that cannot take the record has said so on stderr.
  }
}

/** The user's answer to a destructive call's confirmation; a "no" is a refusal, audited. */
export function observeConfirmation(info: Omit<CallInfo, "readOnly">, declined: boolean): void {
  if (!state) return;
  state.metrics?.confirmation(declined ? "declined" : "accepted");
  if (declined) observeRefusal({ ...info, reason: "confirmation" });
}

/**
 * One upstream request (each attempt of a retried one): counted and timed with metrics on; with
 * tracing on, a child span of the call whose traceparent the request carries upstream.
 */
export function observeUpstream(request: Request, send: () => Promise<Response>): Promise<Response> {
  return observeOpen(
    request.method,
    new URL(request.url).host,
    (tp) => request.headers.set("traceparent", tp),
    send,
    (r) => r.status,
  );
}

/** An upstream websocket handshake, like a request (status 101 or error); `headers` get the traceparent. */
export function observeUpstreamSocket<T>(
  host: string,
  headers: Record<string, string>,
  open: () => Promise<T>,
): Promise<T> {
  return observeOpen(
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
  method: string,
  host: string,
  inject: (traceparent: string) => void,
  open: () => Promise<T>,
  statusOf: (value: T) => number,
): Promise<T> {
  const s = state;
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
    s.metrics?.upstream(call?.server ?? "unknown", method, status, (performance.now() - started) / 1000);
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
  const m = state?.metrics;
  if (!m) return;
  (kind === "sessions" ? m.sessions : m.streamSessions).inc({ server }, delta);
}

/** What the stream buffers hold process-wide, read at each scrape (mcp_stream_buffer_bytes). */
const streamMemories = new Set<{ readonly used: number }>();
export function observeStreamMemory(memory: { readonly used: number }): void {
  streamMemories.add(memory);
}
export function streamBufferBytes(): number {
  let total = 0;
  for (const m of streamMemories) total += m.used;
  return total;
}

/** For tests: forget the configuration. */
export function stopObservingForTests(): void {
  state?.audit?.close();
  state = undefined;
  log.debug("observing stopped");
}
