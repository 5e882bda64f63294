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
import { selectTools, type ToolFilter } from "./tools/select.js";
import { splitToolsets, toolsetHelp } from "./tools/toolsets.js";
import { createVendorServer, type VendorDefinition } from "./tools/vendor.js";

export interface CliOptions {
  readOnly: boolean;
  disableDestructive: boolean;
  confirmDestructive: boolean;
  tools?: string[];
  toolsets?: string[];
  http: boolean;
  port: number;
  host: string;
  rest: boolean;
  restPort: number;
  stateless: boolean;
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
  MCP_PUBLIC_URL                   Origin clients reach this server at, e.g. https://mcp.example.com`;

const USAGE = (name: string) => `Usage: ${name} [options]

Runs the ${name} MCP server. Speaks MCP over stdio unless --http or --rest is given.

Options:
  --toolsets a,b       Serve these toolsets (or "all"; default: the     env MCP_TOOLSETS=a,b
                       ones marked default below)
  --tools a,b          Serve these tools too (alone: only these)        env MCP_TOOLS=a,b
  --read-only          Only read-only tools (readOnlyHint)              env MCP_READ_ONLY=1
  --disable-destructive  No destructive tool (destructiveHint); other   env MCP_DISABLE_DESTRUCTIVE=1
                       writes stay
  --confirm-destructive  Ask the user (MCP elicitation) before every    env MCP_CONFIRM_DESTRUCTIVE=1
                       destructive call; REST refuses destructive routes
  --http               Serve MCP over Streamable HTTP (endpoint /mcp)   env MCP_HTTP=1
  --port N             HTTP port (default 9090)                         env MCP_HTTP_PORT
  --host H             Bind address (default 127.0.0.1; non-loopback    env MCP_HTTP_HOST
                       needs MCP_HTTP_TOKEN or MCP_OAUTH_ISSUER)
  --rest               Serve the REST surface of the capability files   env MCP_REST=1
  --rest-port N        REST port (default 8080)                         env MCP_REST_PORT
  --stateless          HTTP without sessions (any replica answers any   env MCP_STATELESS=1
                       request; session tools are not offered)
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
 * MCP_DISABLE_DESTRUCTIVE, MCP_CONFIRM_DESTRUCTIVE, MCP_STATELESS, MCP_HTTP, MCP_REST, MCP_TOOLS,
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
      tools: { type: "string" },
      toolsets: { type: "string" },
      http: { type: "boolean" },
      port: { type: "string" },
      host: { type: "string" },
      rest: { type: "boolean" },
      "rest-port": { type: "string" },
      stateless: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
  const tools = list(values.tools, env, "MCP_TOOLS");
  const toolsets = list(values.toolsets, env, "MCP_TOOLSETS");
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    readOnly: values["read-only"] ?? envFlag(env, "MCP_READ_ONLY") ?? false,
    disableDestructive: values["disable-destructive"] ?? envFlag(env, "MCP_DISABLE_DESTRUCTIVE") ?? false,
    confirmDestructive: values["confirm-destructive"] ?? envFlag(env, "MCP_CONFIRM_DESTRUCTIVE") ?? false,
    ...(tools ? { tools } : {}),
    ...(toolsets ? { toolsets } : {}),
    http: values.http ?? envFlag(env, "MCP_HTTP") ?? false,
    port: portOf(values.port, "--port", env, "MCP_HTTP_PORT", 9090),
    host: values.host ?? coreSetting("MCP_HTTP_HOST", env) ?? "127.0.0.1",
    rest: values.rest ?? envFlag(env, "MCP_REST") ?? false,
    restPort: portOf(values["rest-port"], "--rest-port", env, "MCP_REST_PORT", 8080),
    stateless: values.stateless ?? envFlag(env, "MCP_STATELESS") ?? false,
  };
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
  try {
    // The flags alone first: --help and --version answer whatever the environment holds.
    const flags = parseCli(argv, {});
    if (flags.help) {
      const toolsets = toolsetHelp(vendor as VendorDefinition<unknown>);
      process.stdout.write(
        `${USAGE(vendor.name)}${toolsets ? `\n${toolsets}` : ""}\n${vendor.name} environment:\n${vendor.envHelp}\n`,
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
    // Validate --tools and --toolsets before anything starts listening.
    selectTools(vendor.tools, filter, vendor.toolsets);
  } catch (error) {
    reportStartupError(vendor.name, error);
    return;
  }
  if (opts.http || opts.rest) {
    // Loaded only when asked for, so the stdio start path stays small.
    const { serveNetwork } = await import("./serving/network.js");
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
  const shutdown = exitOnShutdown(() => handle.close(), "debug");
  process.stdin.on("end", () => shutdown("stdin closed"));
  await handle.server.connect(transport);
  // Someone ran the bin by hand in a terminal: say that it is waiting for an MCP client.
  if (process.stdin.isTTY) log.info(`${vendor.name} ready on stdio; connect an MCP client (Ctrl-C to stop)`);
}
