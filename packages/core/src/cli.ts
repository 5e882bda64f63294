import { parseArgs } from "node:util";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ConfigError } from "./base/errors.js";
import { exitOnShutdown } from "./base/lifecycle.js";
import { log, setLogLevel } from "./base/logger.js";
import {
  CLI_SETTINGS,
  CORE_SETTINGS,
  coreSetting,
  parseSettings,
  readSettingOf,
  type SettingsTable,
} from "./base/settings.js";
import { USAGE } from "./help.js";
import { auditSubcommand, observeConfigOf, startObservingFrom } from "./observe/config.js";
import { observeGauge } from "./observe/observer.js";
import { type ConfirmPolicy, parseConfirmPolicy, unknownConfirmTools } from "./tools/confirm-policy.js";
import { promptHelp } from "./tools/prompts.js";
import { selectTools, type ToolFilter } from "./tools/select.js";
import { splitToolsets, toolsetHelp } from "./tools/toolsets.js";
import { createVendorServer, type VendorDefinition } from "./tools/vendor.js";

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
  env: NodeJS.ProcessEnv,
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

/**
 * Entry point shared by the three bins, given the command line and the environment their cli.ts
 * read (once): the environment is checked whole here, then passed down; nothing below reads it.
 */
export async function runCli<C>(
  vendor: VendorDefinition<C>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
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
    const { serveNetwork } = await import("./serving/network.js");
    try {
      await serveNetwork([vendor as VendorDefinition<unknown>], { ...opts, env, afterShutdown: stopObserving });
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
