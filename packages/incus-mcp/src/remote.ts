import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ConfigError, type Env, registerSecret } from "@infra-mcp/core";
import { parse } from "yaml";

/** One remote as config.yml declares it (before its credentials are read). */
export interface RemoteEntry {
  name: string;
  /** https://host:8443, or unix:// (default socket) / unix:///path. */
  addr: string;
  /** tls, oidc, or "file access" for the unix socket. */
  authType: string;
  /** incus, or simplestreams for image servers (no instance API). */
  protocol: string;
  project?: string;
  public: boolean;
}

/** A remote with the files the CLI keeps beside config.yml, ready to connect. */
export interface IncusRemote extends RemoteEntry {
  clientCert?: string;
  clientKey?: string;
  serverCert?: string;
  /** OIDC access token cached by the CLI (oidctokens/<remote>.json), if any. */
  oidcAccessToken?: string;
}

export interface IncusConfig {
  /** config.yml, for messages. */
  file: string;
  dir: string;
  defaultRemote?: string;
  remotes: Map<string, RemoteEntry>;
}

/** The CLI's config directory: $INCUS_CONF (a directory, or a path to config.yml), else ~/.config/incus. */
export function incusConfigDir(env: Env): string {
  const conf = env.INCUS_CONF?.trim();
  if (conf) return /\.ya?ml$/.test(conf) ? dirname(conf) : conf;
  return join(env.HOME?.trim() || homedir(), ".config", "incus");
}

function incusConfigFile(env: Env): string {
  const conf = env.INCUS_CONF?.trim();
  return conf && /\.ya?ml$/.test(conf) ? conf : join(incusConfigDir(env), "config.yml");
}

/**
 * Reads the CLI's config.yml. A missing file is an empty configuration unless INCUS_CONF or
 * INCUS_REMOTE asked for one; an unreadable or malformed one is a configuration error.
 */
export function readIncusConfig(env: Env): IncusConfig {
  const file = incusConfigFile(env);
  const dir = incusConfigDir(env);
  const config: IncusConfig = { file, dir, remotes: new Map() };
  const asked = Boolean(env.INCUS_CONF?.trim() || env.INCUS_REMOTE?.trim());
  if (!asked && !existsSync(file)) return config;
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `The incus CLI config ${file} ${code ? `cannot be read (${code})` : `is not valid YAML (${(error as Error).message})`}. Set INCUS_CONF to its directory, or use INCUS_URL instead.`,
    );
  }
  const root = (doc ?? {}) as { remotes?: unknown; "default-remote"?: unknown };
  if (typeof root["default-remote"] === "string" && root["default-remote"]) {
    config.defaultRemote = root["default-remote"];
  }
  for (const [name, value] of Object.entries((root.remotes ?? {}) as Record<string, unknown>)) {
    const r = (value ?? {}) as Record<string, unknown>;
    if (typeof r.addr !== "string" || !r.addr) continue;
    const unix = r.addr.startsWith("unix:");
    config.remotes.set(name, {
      name,
      addr: r.addr,
      authType: typeof r.auth_type === "string" && r.auth_type ? r.auth_type : unix ? "file access" : "tls",
      protocol: typeof r.protocol === "string" && r.protocol ? r.protocol : "incus",
      ...(typeof r.project === "string" && r.project ? { project: r.project } : {}),
      public: r.public === true,
    });
  }
  return config;
}

/** Reads a remote's credentials the way the incus CLI does (client.crt/key, servercerts/<name>.crt, oidctokens/). */
export function remoteCredentials(entry: RemoteEntry, dir: string): IncusRemote {
  const remote: IncusRemote = { ...entry };
  if (entry.addr.startsWith("unix:")) return remote;
  const optional = (path: string): string | undefined => {
    if (!existsSync(path)) return undefined;
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      throw new ConfigError(`Remote ${entry.name}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code}).`);
    }
  };
  const cert = optional(join(dir, "client.crt"));
  const key = optional(join(dir, "client.key"));
  const server = optional(join(dir, "servercerts", `${entry.name}.crt`));
  if (cert) remote.clientCert = cert;
  if (key) remote.clientKey = key;
  if (server) remote.serverCert = server;
  if (entry.authType === "oidc") {
    const tokens = optional(join(dir, "oidctokens", `${entry.name}.json`));
    if (tokens) {
      let t: { access_token?: unknown; refresh_token?: unknown };
      try {
        t = JSON.parse(tokens) as typeof t;
      } catch {
        throw new ConfigError(`Remote ${entry.name}: oidctokens/${entry.name}.json is not valid JSON.`);
      }
      // Credentials read from the CLI's cache are secrets like INCUS_TOKEN: scrubbed from all output.
      const source = `Remote ${entry.name} (oidctokens/${entry.name}.json)`;
      if (typeof t.refresh_token === "string" && t.refresh_token) registerSecret(t.refresh_token, source);
      if (typeof t.access_token === "string" && t.access_token) {
        registerSecret(t.access_token, source);
        remote.oidcAccessToken = t.access_token;
      }
    }
  } else if (!entry.public && (!cert || !key)) {
    throw new ConfigError(
      `Remote ${entry.name} uses TLS auth but ${join(dir, "client.crt")} / client.key are missing (run \`incus remote add\` first, or set INCUS_URL with INCUS_CLIENT_CERT/INCUS_CLIENT_KEY).`,
    );
  }
  return remote;
}
