import { accessSync, constants, existsSync } from "node:fs";
import { type Env, readCredential } from "./credentials.js";
import { ConfigError } from "./errors.js";
import { MIN_SECRET_LENGTH } from "./redact.js";

/**
 * What one environment variable accepts. Every variable a bin reads is declared in a table of
 * these (core's below, each vendor's in its config module), so one parser decides what a value
 * means, the error names the variable and what it accepts, and the entry point can check the whole
 * environment before it serves: a bad value stops the start (exit 2) instead of failing every call.
 */
export type Setting =
  | { kind: "int"; min: number; max?: number }
  | { kind: "port" }
  | { kind: "bool" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "url"; protocols: readonly string[] }
  /** Free text of a given shape (an id, a header name). */
  | { kind: "pattern"; pattern: RegExp; accepts: string }
  /** A secret: at least MIN_SECRET_LENGTH characters; with `file`, `<NAME>_FILE` may name a file holding it. */
  | { kind: "credential"; file?: boolean }
  /** A readable file (certificates, CA bundles). */
  | { kind: "file" }
  /** A path that must exist (a file or a directory). */
  | { kind: "path" }
  /** A comma list; any text is one. */
  | { kind: "list" }
  /** Any text (a host, a project name): nothing to refuse. */
  | { kind: "text" };

export type SettingsTable = Readonly<Record<string, Setting>>;

type ValueOf<S extends Setting> = S extends { kind: "int" | "port" }
  ? number
  : S extends { kind: "bool" }
    ? boolean
    : S extends { kind: "enum"; values: readonly (infer V)[] }
      ? V
      : S extends { kind: "list" }
        ? string[]
        : string;

/** The typed values of a table: unset (or blank) variables are undefined; the caller owns the default. */
export type SettingValues<T extends SettingsTable> = { -readonly [K in keyof T]: ValueOf<T[K]> | undefined };

/** Declares a table, keeping each entry's literal type (enum values) for SettingValues. */
export function defineSettings<const T extends SettingsTable>(table: T): T {
  return table;
}

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

/** What a setting accepts, in the words of an error message: "… must be <accepts>". */
export function accepts(setting: Setting): string {
  switch (setting.kind) {
    case "int":
      if (setting.max !== undefined) return `an integer from ${setting.min} to ${setting.max}`;
      return setting.min === 0
        ? "a non-negative integer"
        : setting.min === 1
          ? "a positive integer"
          : `an integer ≥ ${setting.min}`;
    case "port":
      return "a port number (0-65535)";
    case "bool":
      return "1 (true, yes, on) or 0 (false, no, off)";
    case "enum":
      return `one of ${setting.values.join(", ")}`;
    case "url":
      return `an absolute ${setting.protocols.map((p) => p.replace(/:$/, "")).join(" or ")} URL`;
    case "pattern":
      return setting.accepts;
    case "credential":
      return `a credential of at least ${MIN_SECRET_LENGTH} characters${setting.file ? " (or _FILE naming a file holding it)" : ""}`;
    case "file":
      return "the path of a readable file";
    case "path":
      return "an existing path";
    case "list":
      return "a comma list";
    case "text":
      return "any text";
  }
}

function refuse(name: string, setting: Setting, raw: string): never {
  throw new ConfigError(`${name} must be ${accepts(setting)}, got "${raw}".`, {
    variable: name,
    accepts: accepts(setting),
  });
}

/**
 * The value of one variable under its setting: undefined when unset or blank, else the parsed
 * value; anything else is a ConfigError naming the variable and what it accepts (a credential's
 * value is never quoted).
 */
export function parseSetting<S extends Setting>(name: string, setting: S, env: Env): ValueOf<S> | undefined;
export function parseSetting(name: string, setting: Setting, env: Env): unknown {
  if (setting.kind === "credential") {
    try {
      // readCredential applies the length rule and registers the value with the redactor.
      return readCredential({ env: [name], ...(setting.file ? { file: true } : {}), description: name }, env);
    } catch (error) {
      if (error instanceof ConfigError && !error.variable) {
        const variable = env[name]?.trim() ? name : `${name}_FILE`;
        throw new ConfigError(error.message, { variable, accepts: accepts(setting) });
      }
      throw error;
    }
  }
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  switch (setting.kind) {
    case "int": {
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < setting.min || (setting.max !== undefined && n > setting.max))
        refuse(name, setting, raw);
      return n;
    }
    case "port": {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 65535) refuse(name, setting, raw);
      return n;
    }
    case "bool": {
      const v = raw.toLowerCase();
      if (TRUE.includes(v)) return true;
      if (FALSE.includes(v)) return false;
      return refuse(name, setting, raw);
    }
    case "enum": {
      const v = raw.toLowerCase();
      if (!setting.values.includes(v)) refuse(name, setting, raw);
      return v;
    }
    case "url": {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return refuse(name, setting, raw);
      }
      if (!setting.protocols.includes(url.protocol.replace(/:$/, ""))) refuse(name, setting, raw);
      return raw;
    }
    case "pattern":
      if (!setting.pattern.test(raw)) refuse(name, setting, raw);
      return raw;
    case "file":
      try {
        accessSync(raw, constants.R_OK);
      } catch {
        refuse(name, setting, raw);
      }
      return raw;
    case "path":
      if (!existsSync(raw)) refuse(name, setting, raw);
      return raw;
    case "list":
      return raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    case "text":
      return raw;
  }
}

/** One variable of a table, by name (the table holds its setting). */
export function readSettingOf<T extends SettingsTable, K extends keyof T & string>(
  table: T,
  name: K,
  env: Env,
): ValueOf<T[K]> | undefined {
  return parseSetting(name, table[name] as T[K], env);
}

/**
 * Every variable of the tables, parsed: the check an entry point runs before it serves. All bad
 * values are named in one ConfigError (one log line), not just the first.
 */
export function parseSettings<T extends SettingsTable>(table: T, env: Env): SettingValues<T>;
export function parseSettings(tables: readonly SettingsTable[], env: Env): Record<string, unknown>;
export function parseSettings(tables: SettingsTable | readonly SettingsTable[], env: Env): Record<string, unknown> {
  const list = Array.isArray(tables) ? (tables as readonly SettingsTable[]) : [tables as SettingsTable];
  const values: Record<string, unknown> = {};
  const errors: ConfigError[] = [];
  for (const table of list) {
    for (const [name, setting] of Object.entries(table)) {
      if (name in values) continue;
      try {
        values[name] = parseSetting(name, setting, env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        errors.push(error);
      }
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new ConfigError(errors.map((e) => e.message).join(" "), {
      variable: errors.map((e) => e.variable ?? "?").join(", "),
    });
  }
  return values;
}

/** A positive integer variable (timeouts, sizes) outside any table; unset is the fallback. */
export function readPositiveInt(name: string, fallback: number, env: Env): number {
  return parseSetting(name, { kind: "int", min: 1 }, env) ?? fallback;
}

/** A non-negative integer variable (retries) outside any table; unset is the fallback. */
export function readNonNegativeInt(name: string, fallback: number, env: Env): number {
  return parseSetting(name, { kind: "int", min: 0 }, env) ?? fallback;
}

const HTTP = ["http", "https"] as const;
const POSITIVE = { kind: "int", min: 1 } as const;

/**
 * Every variable core reads. The vendor bins read all of these and CLI_SETTINGS; the gateway reads
 * these (not CLI_SETTINGS). `apps/gateway/test/settings.test.ts` fails when the code reads a
 * variable no table declares.
 */
export const CORE_SETTINGS = defineSettings({
  LOG_LEVEL: { kind: "enum", values: ["debug", "info", "warn", "error"] },
  MCP_UPSTREAM_RETRIES: { kind: "int", min: 0 },
  MCP_UPSTREAM_MAX_RESPONSE_BYTES: POSITIVE,
  MCP_MAX_STREAM_SESSIONS: POSITIVE,
  MCP_STREAM_BUFFER_BYTES: POSITIVE,
  MCP_STREAM_MEMORY_BYTES: POSITIVE,
  MCP_STREAM_IDLE_SECONDS: POSITIVE,
  MCP_HTTP_PORT: { kind: "port" },
  MCP_REST_PORT: { kind: "port" },
  MCP_HTTP_HOST: { kind: "text" },
  MCP_HTTP_TOKEN: { kind: "credential", file: true },
  MCP_HTTP_ALLOWED_HOSTS: { kind: "list" },
  MCP_HTTP_ALLOWED_ORIGINS: { kind: "list" },
  MCP_HTTP_MAX_BODY_BYTES: POSITIVE,
  MCP_HTTP_MAX_SESSIONS: POSITIVE,
  MCP_HTTP_MAX_SESSIONS_PER_CLIENT: POSITIVE,
  MCP_HTTP_SESSION_IDLE_SECONDS: POSITIVE,
  MCP_INSTANCE_ID: { kind: "pattern", pattern: /^[0-9A-Za-z.-]{1,64}$/, accepts: '1-64 letters, digits, "." or "-"' },
  MCP_SESSION_ID_HEADER: {
    kind: "pattern",
    pattern: /^[A-Za-z0-9-]{1,64}$/,
    accepts: "a header name like x-request-id",
  },
  MCP_OAUTH_ISSUER: { kind: "url", protocols: HTTP },
  MCP_OAUTH_AUDIENCE: { kind: "text" },
  MCP_OAUTH_JWKS_URL: { kind: "url", protocols: HTTP },
  MCP_OAUTH_READ_SCOPE: { kind: "text" },
  MCP_OAUTH_WRITE_SCOPE: { kind: "text" },
  MCP_OAUTH_ACCEPT_PLAIN_JWT: { kind: "bool" },
  MCP_PUBLIC_URL: { kind: "url", protocols: HTTP },
  MCP_AUDIT_LOG: { kind: "text" },
  MCP_AUDIT_READS: { kind: "bool" },
  MCP_METRICS_PORT: { kind: "port" },
  MCP_METRICS_HOST: { kind: "text" },
  OTEL_EXPORTER_OTLP_ENDPOINT: { kind: "url", protocols: HTTP },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { kind: "url", protocols: HTTP },
  OTEL_EXPORTER_OTLP_PROTOCOL: { kind: "enum", values: ["http/protobuf", "http/json"] },
  OTEL_SERVICE_NAME: { kind: "text" },
});

/** The vendor bins' mode variables (each as its flag); the gateway has only the flags. */
export const CLI_SETTINGS = defineSettings({
  MCP_TOOLSETS: { kind: "list" },
  MCP_TOOLS: { kind: "list" },
  MCP_READ_ONLY: { kind: "bool" },
  MCP_DISABLE_DESTRUCTIVE: { kind: "bool" },
  MCP_CONFIRM_DESTRUCTIVE: { kind: "bool" },
  MCP_CONFIRM: {
    kind: "pattern",
    pattern: /^\s*([a-z0-9][a-z0-9-]*\s*(,\s*[a-z0-9][a-z0-9-]*\s*)*)?$/,
    accepts: "destructive, writes, or a comma list of tool names",
  },
  MCP_SHOW_ENV_VALUES: { kind: "bool" },
  MCP_HTTP: { kind: "bool" },
  MCP_REST: { kind: "bool" },
  MCP_STATELESS: { kind: "bool" },
});

/** One of core's variables, parsed under its setting. */
export function coreSetting<K extends keyof typeof CORE_SETTINGS & string>(
  name: K,
  env: Env,
): ValueOf<(typeof CORE_SETTINGS)[K]> | undefined {
  return readSettingOf(CORE_SETTINGS, name, env);
}
