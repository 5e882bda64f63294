import { parseArgs } from "node:util";
import {
  auditSubcommand,
  CORE_ENV_HELP,
  CORE_SETTINGS,
  ConfigError,
  checkSettings,
  coreSetting,
  log,
  observeConfigOf,
  parseConfirmPolicy,
  parsePort,
  portOf,
  promptHelp,
  reportStartupError,
  startObservingFrom,
  toolsetHelp,
  unknownConfirmTools,
} from "@infra-mcp/core";
import { startGateway } from "./index.js";
import { vendors } from "./vendors.js";

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev";

const USAGE = `Usage: infra-mcp-gateway [options]

Serves ${vendors.map((v) => v.name).join(", ")} from one process:
MCP over Streamable HTTP at /<vendor>/mcp, and all REST routes of the capability files.

Options:
  --port N          MCP port (default 9090, or MCP_HTTP_PORT)
  --rest-port N     REST port (default 8080, or MCP_REST_PORT)
  --host H          Bind address (default 127.0.0.1, or MCP_HTTP_HOST; non-loopback needs MCP_HTTP_TOKEN or MCP_OAUTH_ISSUER)
  --no-rest         Serve MCP only
  --no-http         Serve REST only
  --toolsets a,b    Toolsets to serve: "all", a name (every server that has it) or
                    <server>:<name> (incus:exec, qovery:all); a server none names keeps its defaults
  --read-only       Only read-only tools (MCP and REST)
  --disable-destructive  No destructive tools (MCP and REST); other writes stay
  --confirm P       MCP asks the user before these calls: destructive | writes | tool,tool;
                    REST refuses them (a dryRun call is not asked)
  --confirm-destructive  Same as --confirm destructive
  --show-env-values Show environment variable values in results (default: values <masked>)
  --stateless       MCP without sessions (session tools not offered)
  --metrics-port N  Prometheus metrics at http://127.0.0.1:N/metrics (or MCP_METRICS_PORT)
  audit verify <file>  Check an audit log's hash chain and end (exit 0 intact, 1 broken)
  -h, --help        Show this help
  -v, --version     Show the version

The vendor bins' MCP_TOOLSETS, MCP_TOOLS, MCP_READ_ONLY, MCP_DISABLE_DESTRUCTIVE, MCP_CONFIRM_DESTRUCTIVE,
MCP_CONFIRM, MCP_SHOW_ENV_VALUES, MCP_HTTP, MCP_REST and MCP_STATELESS are not read here:
use the flags above. Every variable below (and each vendor's) is checked before anything serves:
a value it does not accept stops the start with exit code 2, naming the variable.

${CORE_ENV_HELP}
`;

// The gateway's entry reads the environment and the command line here, once, and passes them down.
const env = process.env;
const argv = process.argv.slice(2);
const audited = await auditSubcommand(argv);
if (audited !== undefined) process.exitCode = audited;
else
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
        port: { type: "string" },
        "rest-port": { type: "string" },
        host: { type: "string" },
        "no-rest": { type: "boolean", default: false },
        "no-http": { type: "boolean", default: false },
        "read-only": { type: "boolean", default: false },
        "disable-destructive": { type: "boolean", default: false },
        "confirm-destructive": { type: "boolean", default: false },
        confirm: { type: "string" },
        "show-env-values": { type: "boolean", default: false },
        toolsets: { type: "string" },
        stateless: { type: "boolean", default: false },
        "metrics-port": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      const toolsets = vendors
        .map((v) => `\n${v.name} ${toolsetHelp(v)}${v.prompts?.length ? `\n${v.name} ${promptHelp(v.prompts)}` : ""}`)
        .join("");
      process.stdout.write(
        `${USAGE}${toolsets}${vendors.map((v) => `\n${v.name} environment:\n${v.envHelp}\n`).join("")}`,
      );
    } else if (values.version) {
      process.stdout.write(`${VERSION}\n`);
    } else {
      // Every variable of core and of each vendor is checked before anything serves: a bad value exits 2 here.
      checkSettings([CORE_SETTINGS, ...vendors.map((v) => v.settings ?? {})], env);
      const confirm = values.confirm !== undefined ? parseConfirmPolicy(values.confirm) : undefined;
      const unknown = unknownConfirmTools(
        confirm,
        vendors.flatMap((v) => v.tools.map((t) => t.name)),
      );
      if (unknown.length) throw new ConfigError(`Unknown tool(s) in --confirm: ${unknown.join(", ")}.`);
      const metricsPort =
        values["metrics-port"] !== undefined
          ? parsePort(values["metrics-port"], 0, "--metrics-port")
          : coreSetting("MCP_METRICS_PORT", env);
      const stopObserving = await startObservingFrom(observeConfigOf(env, metricsPort, "infra-mcp-gateway"));
      const net = await startGateway({
        afterShutdown: stopObserving,
        http: !values["no-http"],
        rest: !values["no-rest"],
        port: portOf(values.port, "--port", env, "MCP_HTTP_PORT", 9090),
        restPort: portOf(values["rest-port"], "--rest-port", env, "MCP_REST_PORT", 8080),
        host: values.host ?? coreSetting("MCP_HTTP_HOST", env) ?? "127.0.0.1",
        stateless: values.stateless ?? false,
        readOnly: values["read-only"] ?? false,
        disableDestructive: values["disable-destructive"] ?? false,
        confirmDestructive: values["confirm-destructive"] ?? false,
        ...(confirm ? { confirm } : {}),
        showEnvValues: values["show-env-values"] ?? false,
        env,
        ...(values.toolsets
          ? {
              toolsets: values.toolsets
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : {}),
      });
      log.info("gateway ready", { mcp: net.mcpUrls, rest: net.restUrl });
    }
  } catch (error) {
    reportStartupError("infra-mcp-gateway", error);
  }
