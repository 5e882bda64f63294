import { redactor } from "./redact.js";
import { coreSetting } from "./settings.js";

/** stdout belongs to the MCP protocol on stdio, so every log line goes to stderr, redacted. */
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold = ORDER.info;

/**
 * Sets the level from LOG_LEVEL (debug|info|warn|error, any case; unset is info; anything else is
 * a ConfigError naming LOG_LEVEL, so a typo is not silently info). Called once by the entry points
 * (the bins' runCli, the gateway's cli) after their start-up check; a library user calls it or keeps info.
 */
export function setLogLevel(level: string | undefined): void {
  threshold = ORDER[coreSetting("LOG_LEVEL", { LOG_LEVEL: level }) ?? "info"];
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields });
  process.stderr.write(`${redactor.redact(line)}\n`);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
