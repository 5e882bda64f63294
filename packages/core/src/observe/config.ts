import { coreSetting } from "../base/settings.js";
import type { ObserveConfig } from "./observer.js";

/** The audit and metrics configuration of an entry: its flag (metrics port) and MCP_AUDIT_* / MCP_METRICS_*. */
export function observeConfigOf(env: NodeJS.ProcessEnv, metricsPort?: number, name = "infra-mcp"): ObserveConfig {
  const auditLog = coreSetting("MCP_AUDIT_LOG", env);
  const host = coreSetting("MCP_METRICS_HOST", env);
  // The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS etc.) itself; set is what loads it.
  const traced =
    coreSetting("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env) ?? coreSetting("OTEL_EXPORTER_OTLP_ENDPOINT", env);
  return {
    ...(traced
      ? {
          tracing: {
            serviceName: coreSetting("OTEL_SERVICE_NAME", env) ?? name,
            protocol: coreSetting("OTEL_EXPORTER_OTLP_PROTOCOL", env) ?? "http/protobuf",
          },
        }
      : {}),
    ...(auditLog ? { auditLog } : {}),
    ...(coreSetting("MCP_AUDIT_READS", env) ? { auditReads: true } : {}),
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(host ? { metricsHost: host } : {}),
  };
}

/**
 * Starts the audit log and metrics the configuration asks for; none configured costs nothing (the
 * module is not even loaded). Resolves to a stop function.
 */
export async function startObservingFrom(config: ObserveConfig): Promise<() => Promise<void>> {
  if (!config.auditLog && config.metricsPort === undefined && !config.tracing) return async () => {};
  const { startObserving } = await import("./observer.js");
  return startObserving(config);
}

/** \`<bin> audit verify <file>...\`: handled before the flags; returns the exit code, or undefined. */
export async function auditSubcommand(argv: readonly string[]): Promise<number | undefined> {
  if (argv[0] !== "audit") return undefined;
  const { auditCommand } = await import("./audit-verify.js");
  return auditCommand(argv.slice(1));
}
