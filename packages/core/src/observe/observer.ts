import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { InfraMcpError } from "../base/errors.js";
import { log } from "../base/logger.js";
import { AuditLog, AuditUnavailable } from "./audit.js";
import { auditArgs, targetOf, upstreamIds } from "./record.js";
import { current, type State, setState, state } from "./state.js";
import type { TracingConfig } from "./tracing.js";

export { observeStreamMemory } from "./stream-memory.js";
export { observeGauge, observeUpstream, observeUpstreamSocket } from "./upstream.js";

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
  if (!state()?.audit) return undefined;
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
  setState(next);
  return async () => {
    if (state() === next) setState(undefined);
    next.audit?.close();
    await stopMetrics();
    await next.tracing?.shutdown();
  };
}

/**
 * Before a call goes upstream: the intent record, written (and in the kernel) before this returns.
 * Throws AuditRefusal when the call must be audited and the log cannot take the record.
 */
export function observeCall(info: CallInfo): ObservedCall {
  const s = state();
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
    // Only a span needs the call's context in the requests it makes: entering an AsyncLocalStorage
    // turns on Node's promise hooks for the whole process (~0.1 ms a call here), and the upstream
    // metrics take their server label from the upstream itself.
    run: (work) => (span ? current.run({ server: info.server, span }, work) : work()),
    done(outcome) {
      if (finished) return;
      finished = true;
      const ms = performance.now() - started;
      if (span) s.tracing?.end(span, outcome.ok, { "mcp.outcome": outcome.ok ? "ok" : "error" });
      s.metrics?.outcome(info.server, info.tool, outcome.ok ? "ok" : "error", ms / 1000);
      if (!audited || !s.audit) return;
      const ids = upstreamIds(outcome.structured);
      try {
        s.audit.writeSoon({
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
  const s = state();
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
  const s = state();
  if (!s) return;
  s.metrics?.confirmation(declined ? "declined" : "accepted");
  if (declined) observeRefusal({ ...info, reason: "confirmation" });
}

/** For tests: forget the configuration. */
export function stopObservingForTests(): void {
  state()?.audit?.close();
  setState(undefined);
  log.debug("observing stopped");
}
