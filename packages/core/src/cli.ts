import { parseArgs } from "node:util";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { type ConfirmPolicy, parseConfirmPolicy, unknownConfirmTools } from "./confirm-policy.js";
import { ConfigError } from "./errors.js";
import { exitOnShutdown } from "./lifecycle.js";
import { log, setLogLevel } from "./logger.js";
import { type ObserveConfig, observeGauge } from "./observe/observer.js";
import { promptHelp } from "./prompts.js";
import {
  CLI_SETTINGS,
  CORE_SETTINGS,
  coreSetting,
  parseSettings,
  readSettingOf,
  type SettingsTable,
} from "./settings.js";
import { selectTools, type ToolFilter } from "./tool.js";
import { splitToolsets, toolsetHelp } from "./toolsets.js";
import { createVendorServer, type VendorDefinition } from "./vendor.js";

export interface CliOptions {
  readOnly: boolean;
  disableDestructive: boolean;
  confirmDestructive: boolean;
  /** --confirm (with --confirm-destructive folded in as `destructive`). */
  confirm?: ConfirmPolicy;
  showEnvValues: boolean;
  tools?: string[];
  toolsets?: string[];
  http: boolean;
  port: number;
  host: string;
  rest: boolean;
  restPort: number;
  stateless: boolean;
  metricsPort?: number;
}

/**
 * Every variable core reads, for `--help` of each bin and of the gateway (the gateway lists its own
 * port/host variables with its flags). The README's tables list the same names; a test compares them.
 */
export const CORE_ENV_HELP = `Logging and upstream requests:
  LOG_LEVEL                        debug | info | warn | error (default info); JSON lines on stderr
  MCP_UPSTREAM_RETRIES             Retries of idempotent upstream reads (GET/HEAD; default 2; writes never)
  MCP_UPSTREAM_MAX_RESPONSE_BYTES  Upstream response body held in memory, larger → error (default 33554432)

Stream sessions (exec/attach/shell sessions of one MCP session):
  MCP_MAX_STREAM_SESSIONS          Open stream sessions per MCP session (default 32)
  MCP_STREAM_BUFFER_BYTES          Output kept per stream session; older bytes drop (default 4194304)
  MCP_STREAM_MEMORY_BYTES          Output kept by all stream sessions of the process together; past
                                   it buffers stop growing and older bytes drop (default 268435456)
  MCP_STREAM_IDLE_SECONDS          Idle stream session expiry (default 600)

HTTP/REST (--http, --rest):
  MCP_HTTP_TOKEN                   Bearer token required on every request (mandatory off loopback; or _FILE)
  MCP_HTTP_ALLOWED_HOSTS           Extra Host names accepted (comma list; default loopback names only)
  MCP_HTTP_ALLOWED_ORIGINS         Extra browser Origins accepted (comma list; default: only loopback
                                   origins on the server's own port)
  MCP_HTTP_MAX_BODY_BYTES          Request body limit, larger → 413 (default 1048576)
  MCP_HTTP_MAX_SESSIONS            Concurrent MCP sessions, more → 503 (default 64)
  MCP_HTTP_MAX_SESSIONS_PER_CLIENT Sessions one client (OAuth identity, else credential header, else
                                   address) may hold, more → 503 (default half of MCP_HTTP_MAX_SESSIONS)
  MCP_HTTP_SESSION_IDLE_SECONDS    Idle MCP session expiry (default 1800)
  MCP_INSTANCE_ID                  Replica id: serverInfo.version "<version>+<id>", X-MCP-Instance header
  MCP_SESSION_ID_HEADER            Header (e.g. x-request-id) whose value prefixes a new session's generated
                                   id, for proxies that hash on it (see "Running for a team")

Team sign-in (OAuth 2.1 resource server; instead of MCP_HTTP_TOKEN, see "Sign-in for teams"):
  MCP_OAUTH_ISSUER                 Authorization server whose JWT access tokens are accepted (iss)
  MCP_OAUTH_AUDIENCE               Resource the tokens must be issued for (aud; default MCP_PUBLIC_URL)
  MCP_OAUTH_JWKS_URL               The issuer's key set (default: jwks_uri from the issuer's metadata)
  MCP_OAUTH_READ_SCOPE             Scope granting the read-only tools (default mcp:read)
  MCP_OAUTH_WRITE_SCOPE            Scope granting every tool the flags allow (default mcp:write)
  MCP_OAUTH_ACCEPT_PLAIN_JWT       1: also accept access tokens typed JWT or untyped (default: at+jwt only)
  MCP_PUBLIC_URL                   Origin clients reach this server at, e.g. https://mcp.example.com

Audit log and metrics (see "Operating it"):
  MCP_AUDIT_LOG                    File (or "stderr") receiving a hash-chained JSON line before and after
                                   every write call, REST write route and websocket session, and every
                                   refusal; unwritable → those calls are refused. SIGHUP reopens it.
                                   \`<bin> audit verify <file>...\` checks the chain
  MCP_AUDIT_READS                  1: audit read-only calls too (default 0)
  MCP_METRICS_PORT                 Serve Prometheus metrics at /metrics on this port (or --metrics-port)
  MCP_METRICS_HOST                 Bind address of the metrics port (default 127.0.0.1)

OpenTelemetry traces (loaded only when an endpoint is set; the other standard OTEL_EXPORTER_OTLP_*
variables, e.g. _HEADERS, _TIMEOUT, are honoured by the exporter):
  OTEL_EXPORTER_OTLP_ENDPOINT      OTLP/HTTP collector base URL, e.g. http://127.0.0.1:4318
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  Full traces URL instead (…/v1/traces)
  OTEL_EXPORTER_OTLP_PROTOCOL      http/protobuf (default) or http/json
  OTEL_SERVICE_NAME                service.name of the spans (default: the bin's name)`;

const USAGE = (name: string) => `Usage: ${name} [options]

Runs the ${name} MCP server. Speaks MCP over stdio unless --http or --rest is given.

Options:
  --toolsets a,b       Serve these toolsets (or "all"; default: the     env MCP_TOOLSETS=a,b
                       ones marked default below)
  --tools a,b          Serve these tools too (alone: only these)        env MCP_TOOLS=a,b
  --read-only          Only read-only tools (readOnlyHint)              env MCP_READ_ONLY=1
  --disable-destructive  No destructive tool (destructiveHint); other   env MCP_DISABLE_DESTRUCTIVE=1
                       writes stay
  --confirm P          Ask the user (MCP elicitation) before these      env MCP_CONFIRM=P
                       calls: destructive | writes | tool,tool; REST
                       refuses their routes; a dryRun call is not asked
  --confirm-destructive  Same as --confirm destructive                  env MCP_CONFIRM_DESTRUCTIVE=1
  --show-env-values    Show environment variable values in results      env MCP_SHOW_ENV_VALUES=1
                       (default: names shown, values <masked>)
  --http               Serve MCP over Streamable HTTP (endpoint /mcp)   env MCP_HTTP=1
  --port N             HTTP port (default 9090)                         env MCP_HTTP_PORT
  --host H             Bind address (default 127.0.0.1; non-loopback    env MCP_HTTP_HOST
                       needs MCP_HTTP_TOKEN or MCP_OAUTH_ISSUER)
  --rest               Serve the REST surface of the capability files   env MCP_REST=1
  --rest-port N        REST port (default 8080)                         env MCP_REST_PORT
  --stateless          HTTP without sessions (any replica answers any   env MCP_STATELESS=1
                       request; session tools are not offered)
  --metrics-port N     Prometheus metrics at http://127.0.0.1:N/metrics env MCP_METRICS_PORT
  audit verify <file>  Check an audit log's hash chain (exit 0 intact, 1 broken)
  -h, --help           Show this help
  -v, --version        Show the version

An option shown with "env NAME" can be set by that environment variable instead (for containers
configured by env only); a flag on the command line wins. Booleans take 1/true/yes or 0/false/no.
Every variable below is checked before the server serves: a value it does not accept stops the
start with exit code 2 and one JSON line on stderr naming the variable and what it accepts.

${CORE_ENV_HELP}
`;

/**
 * A start-up failure (bad flag, bad variable, a port in use): one JSON log line like every other,
 * through the redactor (a message may quote a value from the environment), and exit code 2 for
 * configuration errors.
 */
export function reportStartupError(name: string, error: unknown): void {
  const config = error instanceof ConfigError || (error as NodeJS.ErrnoException)?.code?.startsWith("ERR_PARSE_ARGS");
  const about = error instanceof ConfigError ? error : undefined;
  log.error((error as Error)?.message ?? String(error), {
    name,
    ...(about?.variable ? { variable: about.variable } : {}),
    ...(about?.accepts ? { accepts: about.accepts } : {}),
    ...(config ? { help: `${name} --help lists every option and variable` } : {}),
  });
  process.exitCode = config ? 2 : 1;
}

/** A boolean env setting (MCP_READ_ONLY=1 etc.); unset or empty is undefined, anything unknown is an error. */
function envFlag(env: NodeJS.ProcessEnv, name: keyof typeof CLI_SETTINGS & string): boolean | undefined {
  return readSettingOf(CLI_SETTINGS, name, env) as boolean | undefined;
}

/** A comma list from a flag, else from its env variable (blank = unset). */
function list(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  name: "MCP_TOOLS" | "MCP_TOOLSETS",
): string[] | undefined {
  if (flag === undefined) return readSettingOf(CLI_SETTINGS, name, env);
  return flag
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A port from its flag (named in the error), else from its variable (named in the error), else the fallback. */
export function portOf(
  flag: string | undefined,
  flagName: string,
  env: NodeJS.ProcessEnv,
  variable: "MCP_HTTP_PORT" | "MCP_REST_PORT",
  fallback: number,
): number {
  if (flag !== undefined) return parsePort(flag, fallback, flagName);
  return coreSetting(variable, env) ?? fallback;
}

/**
 * The start-up check of a bin: every variable of the tables parsed (bad values named together in
 * one ConfigError), then the log level set from LOG_LEVEL. Runs before anything serves.
 */
export function checkSettings(tables: readonly SettingsTable[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const values = parseSettings(tables, env);
  setLogLevel(env.LOG_LEVEL);
  return values;
}

/** The tool filter the parsed options ask for, with --toolsets split for these vendors. */
export function cliToolFilter(opts: CliOptions, vendor: VendorDefinition<unknown>): ToolFilter {
  const toolsets = splitToolsets([vendor], opts.toolsets).get(vendor.name);
  return {
    ...(opts.readOnly ? { readOnly: true } : {}),
    ...(opts.disableDestructive ? { disableDestructive: true } : {}),
    ...(opts.confirmDestructive ? { confirmDestructive: true } : {}),
    ...(opts.confirm ? { confirm: opts.confirm } : {}),
    ...(opts.showEnvValues ? { showEnvValues: true } : {}),
    ...(opts.tools ? { allow: opts.tools } : {}),
    ...(toolsets ? { toolsets } : {}),
  };
}

/** A --port style value (flag or variable); unset gives the fallback, anything but 0-65535 is an error. */
export function parsePort(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${flag} must be a port number, got "${value}".`);
  }
  return n;
}

/**
 * Parses the command line; every mode flag can also come from the environment (MCP_READ_ONLY,
 * MCP_DISABLE_DESTRUCTIVE, MCP_CONFIRM_DESTRUCTIVE, MCP_CONFIRM, MCP_SHOW_ENV_VALUES, MCP_STATELESS, MCP_HTTP, MCP_REST, MCP_TOOLS,
 * MCP_TOOLSETS, MCP_HTTP_PORT, MCP_HTTP_HOST, MCP_REST_PORT) so a container can be configured
 * without changing its command. A flag on the command line wins.
 */
export function parseCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): CliOptions & { help: boolean; version: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false },
      "read-only": { type: "boolean" },
      "disable-destructive": { type: "boolean" },
      "confirm-destructive": { type: "boolean" },
      confirm: { type: "string" },
      "show-env-values": { type: "boolean" },
      tools: { type: "string" },
      toolsets: { type: "string" },
      http: { type: "boolean" },
      port: { type: "string" },
      host: { type: "string" },
      rest: { type: "boolean" },
      "rest-port": { type: "string" },
      stateless: { type: "boolean" },
      "metrics-port": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const tools = list(values.tools, env, "MCP_TOOLS");
  const toolsets = list(values.toolsets, env, "MCP_TOOLSETS");
  const confirmDestructive = values["confirm-destructive"] ?? envFlag(env, "MCP_CONFIRM_DESTRUCTIVE") ?? false;
  const confirmText = values.confirm ?? readSettingOf(CLI_SETTINGS, "MCP_CONFIRM", env);
  const confirm =
    (confirmText !== undefined
      ? parseConfirmPolicy(confirmText, values.confirm !== undefined ? "--confirm" : "MCP_CONFIRM")
      : undefined) ?? (confirmDestructive ? "destructive" : undefined);
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    readOnly: values["read-only"] ?? envFlag(env, "MCP_READ_ONLY") ?? false,
    disableDestructive: values["disable-destructive"] ?? envFlag(env, "MCP_DISABLE_DESTRUCTIVE") ?? false,
    confirmDestructive,
    ...(confirm ? { confirm } : {}),
    showEnvValues: values["show-env-values"] ?? envFlag(env, "MCP_SHOW_ENV_VALUES") ?? false,
    ...(tools ? { tools } : {}),
    ...(toolsets ? { toolsets } : {}),
    http: values.http ?? envFlag(env, "MCP_HTTP") ?? false,
    port: portOf(values.port, "--port", env, "MCP_HTTP_PORT", 9090),
    host: values.host ?? coreSetting("MCP_HTTP_HOST", env) ?? "127.0.0.1",
    rest: values.rest ?? envFlag(env, "MCP_REST") ?? false,
    restPort: portOf(values["rest-port"], "--rest-port", env, "MCP_REST_PORT", 8080),
    stateless: values.stateless ?? envFlag(env, "MCP_STATELESS") ?? false,
    ...metricsPortOf(values["metrics-port"], env),
  };
}

function metricsPortOf(flag: string | undefined, env: NodeJS.ProcessEnv): { metricsPort?: number } {
  const port = flag !== undefined ? parsePort(flag, 0, "--metrics-port") : coreSetting("MCP_METRICS_PORT", env);
  return port === undefined ? {} : { metricsPort: port };
}

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
  const { startObserving } = await import("./observe/observer.js");
  return startObserving(config);
}

/** \`<bin> audit verify <file>...\`: handled before the flags; returns the exit code, or undefined. */
export async function auditSubcommand(argv: readonly string[]): Promise<number | undefined> {
  if (argv[0] !== "audit") return undefined;
  const { auditCommand } = await import("./observe/audit.js");
  return auditCommand(argv.slice(1));
}

/** Entry point shared by the three bins. */
export async function runCli<C>(
  vendor: VendorDefinition<C>,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  let opts: ReturnType<typeof parseCli>;
  let filter: ToolFilter;
  let stopObserving = async () => {};
  const audited = await auditSubcommand(argv);
  if (audited !== undefined) {
    process.exitCode = audited;
    return;
  }
  try {
    // The flags alone first: --help and --version answer whatever the environment holds.
    const flags = parseCli(argv, {});
    if (flags.help) {
      const toolsets = toolsetHelp(vendor as VendorDefinition<unknown>);
      const prompts = promptHelp(vendor.prompts);
      process.stdout.write(
        `${USAGE(vendor.name)}${toolsets ? `\n${toolsets}` : ""}${prompts ? `\n${prompts}` : ""}\n${vendor.name} environment:\n${vendor.envHelp}\n`,
      );
      return;
    }
    if (flags.version) {
      process.stdout.write(`${vendor.version}\n`);
      return;
    }
    // Every variable this bin reads, before anything serves: a bad value stops here (exit 2)
    // rather than crashing stdio on the first message or failing every call.
    checkSettings([CORE_SETTINGS, CLI_SETTINGS, vendor.settings ?? {}], env);
    opts = parseCli(argv, env);
    filter = cliToolFilter(opts, vendor as VendorDefinition<unknown>);
    // Validate --tools, --toolsets and --confirm's tool names before anything starts listening.
    selectTools(vendor.tools, filter, vendor.toolsets);
    const unknown = unknownConfirmTools(
      opts.confirm,
      vendor.tools.map((t) => t.name),
    );
    if (unknown.length) throw new ConfigError(`Unknown tool(s) in --confirm: ${unknown.join(", ")}.`);
    stopObserving = await startObservingFrom(observeConfigOf(env, opts.metricsPort, vendor.name));
  } catch (error) {
    reportStartupError(vendor.name, error);
    return;
  }
  if (opts.http || opts.rest) {
    // Loaded only when asked for, so the stdio start path stays small.
    const { serveNetwork } = await import("./transports/network.js");
    try {
      await serveNetwork([vendor as VendorDefinition<unknown>], { ...opts, env });
    } catch (error) {
      reportStartupError(vendor.name, error);
    }
    return;
  }
  let handle: ReturnType<typeof createVendorServer>;
  try {
    handle = createVendorServer(vendor, { ...filter, env });
  } catch (error) {
    reportStartupError(vendor.name, error);
    return;
  }
  const transport = new StdioServerTransport();
  // The spans still buffered go out before the exit.
  const shutdown = exitOnShutdown(() => handle.close().finally(stopObserving), "debug");
  process.stdin.on("end", () => shutdown("stdin closed"));
  await handle.server.connect(transport);
  observeGauge("sessions", vendor.name, 1);
  // Someone ran the bin by hand in a terminal: say that it is waiting for an MCP client.
  if (process.stdin.isTTY) log.info(`${vendor.name} ready on stdio; connect an MCP client (Ctrl-C to stop)`);
}
