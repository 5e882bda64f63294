import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ConfigError, type Env, registerSecret } from "@infra-mcp/core";
import { parse } from "yaml";

/** One remote of the incus CLI's config.yml, with the files the CLI keeps beside it. */
export interface IncusRemote {
  name: string;
  /** https://host:8443, or unix:// (default socket) / unix:///path. */
  addr: string;
  authType: string;
  project?: string;
  clientCert?: string;
  clientKey?: string;
  serverCert?: string;
  /** OIDC access token cached by the CLI (oidctokens/<remote>.json), if any. */
  oidcAccessToken?: string;
}

/** The CLI's config directory: $INCUS_CONF (a directory, or a path to config.yml), else ~/.config/incus. */
export function incusConfigDir(env: Env): string {
  const conf = env.INCUS_CONF?.trim();
  if (conf) return /\.ya?ml$/.test(conf) ? dirname(conf) : conf;
  return join(env.HOME?.trim() || homedir(), ".config", "incus");
}

/** Reads remote `name` the way the incus CLI does (config.yml + client.crt/key + servercerts/<name>.crt). */
export function readRemote(name: string, env: Env): IncusRemote {
  const dir = incusConfigDir(env);
  const conf = env.INCUS_CONF?.trim();
  const file = conf && /\.ya?ml$/.test(conf) ? conf : join(dir, "config.yml");
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `INCUS_REMOTE=${name} needs the incus CLI config at ${file}, which ${code ? `cannot be read (${code})` : `is not valid YAML (${(error as Error).message})`}. Set INCUS_CONF to its directory, or use INCUS_URL instead.`,
    );
  }
  const remotes = (doc as { remotes?: Record<string, Record<string, unknown>> } | null)?.remotes ?? {};
  const r = remotes[name];
  if (!r || typeof r.addr !== "string") {
    const known = Object.keys(remotes).join(", ") || "none";
    throw new ConfigError(`INCUS_REMOTE=${name}: no remote "${name}" with an addr in ${file} (known: ${known}).`);
  }
  const optional = (path: string): string | undefined => {
    if (!existsSync(path)) return undefined;
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      throw new ConfigError(`INCUS_REMOTE=${name}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code}).`);
    }
  };
  const remote: IncusRemote = {
    name,
    addr: r.addr,
    authType: typeof r.auth_type === "string" ? r.auth_type : "tls",
  };
  if (typeof r.project === "string" && r.project) remote.project = r.project;
  if (remote.addr.startsWith("unix:")) return remote;
  const cert = optional(join(dir, "client.crt"));
  const key = optional(join(dir, "client.key"));
  const server = optional(join(dir, "servercerts", `${name}.crt`));
  if (cert) remote.clientCert = cert;
  if (key) remote.clientKey = key;
  if (server) remote.serverCert = server;
  if (remote.authType === "oidc") {
    const tokens = optional(join(dir, "oidctokens", `${name}.json`));
    if (tokens) {
      let t: { access_token?: unknown; refresh_token?: unknown };
      try {
        t = JSON.parse(tokens) as typeof t;
      } catch {
        throw new ConfigError(`INCUS_REMOTE=${name}: oidctokens/${name}.json is not valid JSON.`);
      }
      // Credentials read from the CLI's cache are secrets like INCUS_TOKEN: scrubbed from all output.
      const source = `INCUS_REMOTE=${name} (oidctokens/${name}.json)`;
      if (typeof t.refresh_token === "string" && t.refresh_token) registerSecret(t.refresh_token, source);
      if (typeof t.access_token === "string" && t.access_token) {
        registerSecret(t.access_token, source);
        remote.oidcAccessToken = t.access_token;
      }
    }
  } else if (!cert || !key) {
    throw new ConfigError(
      `INCUS_REMOTE=${name} uses TLS auth but ${join(dir, "client.crt")} / client.key are missing (run \`incus remote add\` first, or set INCUS_URL with INCUS_CLIENT_CERT/INCUS_CLIENT_KEY).`,
    );
  }
  return remote;
}
