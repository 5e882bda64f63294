import { parseArgs } from "node:util";
import {
  CORE_ENV_HELP,
  CORE_SETTINGS,
  checkSettings,
  coreSetting,
  log,
  portOf,
  reportStartupError,
  toolsetHelp,
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
  --confirm-destructive  MCP asks the user before each destructive call; REST refuses them
  --stateless       MCP without sessions (session tools not offered)
  -h, --help        Show this help
  -v, --version     Show the version

The vendor bins' MCP_TOOLSETS, MCP_TOOLS, MCP_READ_ONLY, MCP_DISABLE_DESTRUCTIVE, MCP_CONFIRM_DESTRUCTIVE,
MCP_HTTP, MCP_REST and MCP_STATELESS are not read here:
use the flags above. Every variable below (and each vendor's) is checked before anything serves:
a value it does not accept stops the start with exit code 2, naming the variable.

${CORE_ENV_HELP}
`;

try {
  const { values } = parseArgs({
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
      toolsets: { type: "string" },
      stateless: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    const toolsets = vendors.map((v) => `\n${v.name} ${toolsetHelp(v)}`).join("");
    process.stdout.write(
      `${USAGE}${toolsets}${vendors.map((v) => `\n${v.name} environment:\n${v.envHelp}\n`).join("")}`,
    );
  } else if (values.version) {
    process.stdout.write(`${VERSION}\n`);
  } else {
    // The gateway's entry reads the environment here, once, and passes it down. Every variable of
    // core and of each vendor is checked before anything serves: a bad value exits 2 here.
    const env = process.env;
    checkSettings([CORE_SETTINGS, ...vendors.map((v) => v.settings ?? {})], env);
    const net = await startGateway({
      http: !values["no-http"],
      rest: !values["no-rest"],
      port: portOf(values.port, "--port", env, "MCP_HTTP_PORT", 9090),
      restPort: portOf(values["rest-port"], "--rest-port", env, "MCP_REST_PORT", 8080),
      host: values.host ?? coreSetting("MCP_HTTP_HOST", env) ?? "127.0.0.1",
      stateless: values.stateless ?? false,
      readOnly: values["read-only"] ?? false,
      disableDestructive: values["disable-destructive"] ?? false,
      confirmDestructive: values["confirm-destructive"] ?? false,
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
