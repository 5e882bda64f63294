import { existsSync } from "node:fs";
import {
  type AuthPlacement,
  ConfigError,
  defineSettings,
  type Env,
  HttpClient,
  InputError,
  readCredential,
  readFileSetting,
  readSetting,
  readSettingOf,
  type TlsOptions,
  type UpstreamOptions,
  upstreamLimitsFromEnv,
} from "@infra-mcp/core";
import { type IncusConfig, type RemoteEntry, readIncusConfig, remoteCredentials } from "./remote.js";

/** What a tool works with: one remote's HTTP client and default project. */
export interface IncusClient {
  /** The remote's name (`local`, `url`, or one from config.yml). */
  readonly remote: string;
  /** Built on first use: a remote whose credentials are broken fails only the calls that use it. */
  readonly http: HttpClient;
  /** Default project for project-scoped calls (INCUS_PROJECT, else the remote's project). */
  readonly project: string | undefined;
  /** Every remote this server knows (list-remotes). */
  readonly remotes: IncusRemotes;
}

/** Every variable incus-mcp reads and what it accepts (checked at start-up; see core's settings). */
export const INCUS_SETTINGS = defineSettings({
  INCUS_SOCKET: { kind: "text" },
  INCUS_URL: { kind: "url", protocols: ["https", "http"] },
  INCUS_TOKEN: { kind: "credential", file: true },
  INCUS_API_KEY: { kind: "credential", file: true },
  INCUS_CLIENT_CERT: { kind: "file" },
  INCUS_CLIENT_KEY: { kind: "file" },
  INCUS_SERVER_CERT: { kind: "file" },
  INCUS_CONF: { kind: "path" },
  INCUS_REMOTE: { kind: "text" },
  INCUS_PROJECT: { kind: "text" },
  INCUS_TIMEOUT_MS: { kind: "int", min: 1 },
});

export const SOCKET_CANDIDATES = ["/run/incus/unix.socket", "/var/lib/incus/unix.socket"] as const;

/** The remote INCUS_URL defines. */
export const URL_REMOTE = "url";
export const LOCAL_REMOTE = "local";

/** INCUS_SOCKET, else the first default socket that exists, else the last default (for the error message). */
export function defaultSocket(env: Env): string {
  const set = readSetting(["INCUS_SOCKET"], env);
  if (set) return set;
  return SOCKET_CANDIDATES.find((p) => existsSync(p)) ?? "/var/lib/incus/unix.socket";
}

/** A remote as list-remotes shows it. */
export interface RemoteInfo extends RemoteEntry {
  isDefault: boolean;
  /** Where it is defined: config.yml, INCUS_URL, or built in (the local socket). */
  source: "config" | "INCUS_URL" | "built-in";
}

/**
 * The remotes one server talks to: config.yml's (INCUS_CONF), `url` when INCUS_URL is set, and
 * `local` (the unix socket) always. The default is INCUS_REMOTE, else INCUS_URL's, else the socket
 * when INCUS_SOCKET is set, else config.yml's default-remote, else `local`. One HTTP client per
 * remote, built on first use and kept until the server (or MCP session) closes.
 */
export class IncusRemotes {
  readonly env: Env;
  readonly timeoutMs: number;
  readonly #views = new Map<string, IncusClient>();
  readonly #http = new Map<string, HttpClient>();
  #config: IncusConfig | undefined;

  constructor(env: Env) {
    this.env = env;
    this.timeoutMs = readSettingOf(INCUS_SETTINGS, "INCUS_TIMEOUT_MS", env) ?? 30_000;
    // Malformed settings fail at once (every call reports them), not on the first tool call.
    this.#token();
  }

  get config(): IncusConfig {
    this.#config ??= readIncusConfig(this.env);
    return this.#config;
  }

  get defaultName(): string {
    return (
      readSetting(["INCUS_REMOTE"], this.env) ??
      (readSetting(["INCUS_URL"], this.env) ? URL_REMOTE : undefined) ??
      (readSetting(["INCUS_SOCKET"], this.env) ? LOCAL_REMOTE : undefined) ??
      this.config.defaultRemote ??
      LOCAL_REMOTE
    );
  }

  list(): RemoteInfo[] {
    const isDefault = this.defaultName;
    const out = new Map<string, RemoteInfo>();
    out.set(LOCAL_REMOTE, {
      name: LOCAL_REMOTE,
      addr: "unix://",
      authType: "file access",
      protocol: "incus",
      public: false,
      isDefault: false,
      source: "built-in",
    });
    for (const entry of this.config.remotes.values())
      out.set(entry.name, { ...entry, isDefault: false, source: "config" });
    const url = readSetting(["INCUS_URL"], this.env);
    if (url) {
      out.set(URL_REMOTE, {
        name: URL_REMOTE,
        addr: url,
        authType: readSetting(["INCUS_CLIENT_CERT"], this.env) ? "tls" : "oidc",
        protocol: "incus",
        public: false,
        isDefault: false,
        source: "INCUS_URL",
      });
    }
    const d = out.get(isDefault);
    if (d) d.isDefault = true;
    return [...out.values()];
  }

  /**
   * The client for `name` (the default remote when omitted). Nothing is checked or connected
   * until the client is used, so list-remotes works even when the default remote is broken.
   */
  get(name?: string): IncusClient {
    const key = name ?? "";
    let view = this.#views.get(key);
    if (!view) {
      view = new RemoteClient(this, name);
      this.#views.set(key, view);
    }
    return view;
  }

  /** The remote `name` names; an unknown one is an error listing the known ones. */
  resolve(name?: string): RemoteInfo {
    const wanted = name ?? this.defaultName;
    const all = this.list();
    const info = all.find((r) => r.name === wanted);
    if (!info) {
      const names = all.map((r) => r.name).join(", ");
      if (name === undefined) {
        throw new ConfigError(
          `INCUS_REMOTE=${wanted}: no remote "${wanted}" in ${this.config.file} (known: ${names}).`,
        );
      }
      throw new InputError("remote", `unknown remote "${wanted}"; known: ${names} (see list-remotes)`);
    }
    if (info.protocol !== "incus") {
      throw new InputError("remote", `remote "${wanted}" is a ${info.protocol} image server, not an Incus API`);
    }
    return info;
  }

  /** One HTTP client per remote, built on first use and reused. */
  httpFor(info: RemoteInfo): HttpClient {
    let http = this.#http.get(info.name);
    if (!http) {
      http = new HttpClient(this.#options(info));
      this.#http.set(info.name, http);
    }
    return http;
  }

  projectFor(info: RemoteInfo): string | undefined {
    return readSetting(["INCUS_PROJECT"], this.env) ?? info.project;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#http.values()].map((h) => h.close()));
    this.#http.clear();
    this.#views.clear();
  }

  #token(): string | undefined {
    return readCredential(
      { env: ["INCUS_TOKEN", "INCUS_API_KEY"], file: true, description: "Incus OIDC access token" },
      this.env,
    );
  }

  #options(info: RemoteInfo): UpstreamOptions {
    const base = {
      name: "Incus",
      timeoutMs: this.timeoutMs,
      ...upstreamLimitsFromEnv(this.env),
      server: "incus-mcp",
    };
    // INCUS_TOKEN (or a user's X-Incus-Token) belongs to the default remote; other remotes use
    // their own credentials from the CLI configuration, so a token never reaches another server.
    const token = info.name === this.defaultName ? this.#token() : undefined;
    if (info.source === "INCUS_URL") return { ...base, ...this.#urlOptions(info.addr, token) };
    if (info.addr.startsWith("unix:")) {
      const path = info.addr.replace(/^unix:\/\//, "");
      return { ...base, baseUrl: "http://incus", socketPath: path || defaultSocket(this.env) };
    }
    const remote = remoteCredentials(info, this.config.dir);
    const tls: TlsOptions = {};
    if (remote.clientCert && remote.clientKey) {
      tls.cert = remote.clientCert;
      tls.key = remote.clientKey;
    }
    if (remote.serverCert) tls.pinnedServerCert = remote.serverCert;
    return { ...base, baseUrl: remote.addr, tls, ...bearerAuth(token ?? remote.oidcAccessToken) };
  }

  #urlOptions(url: string, token: string | undefined): Pick<UpstreamOptions, "baseUrl" | "tls" | "auth"> {
    const cert = readFileSetting("INCUS_CLIENT_CERT", this.env);
    const key = readFileSetting("INCUS_CLIENT_KEY", this.env);
    if (Boolean(cert) !== Boolean(key)) {
      throw new ConfigError("Set both INCUS_CLIENT_CERT and INCUS_CLIENT_KEY (PEM file paths), or neither.");
    }
    if (!cert && !token) {
      throw new ConfigError(
        "INCUS_URL is set but no credential is: set INCUS_CLIENT_CERT + INCUS_CLIENT_KEY (a certificate trusted with `incus config trust add-certificate`) or INCUS_TOKEN (OIDC access token).",
      );
    }
    const tls: TlsOptions = {};
    if (cert && key) {
      tls.cert = cert;
      tls.key = key;
    }
    const pinned = readFileSetting("INCUS_SERVER_CERT", this.env);
    if (pinned) tls.pinnedServerCert = pinned;
    return { baseUrl: url, tls, ...bearerAuth(token) };
  }
}

/**
 * A view of one remote, resolved on use: an unknown name or broken credentials fail the calls
 * that use this remote, before any request, and nothing else.
 */
class RemoteClient implements IncusClient {
  readonly remotes: IncusRemotes;
  readonly #name: string | undefined;

  constructor(remotes: IncusRemotes, name: string | undefined) {
    this.remotes = remotes;
    this.#name = name;
  }

  get remote(): string {
    return this.remotes.resolve(this.#name).name;
  }

  get project(): string | undefined {
    return this.remotes.projectFor(this.remotes.resolve(this.#name));
  }

  get http(): HttpClient {
    return this.remotes.httpFor(this.remotes.resolve(this.#name));
  }
}

/** The default remote's client (tests and library users that want one client). */
export function createIncusClient(env: Env): IncusClient {
  return new IncusRemotes(env).get();
}

function bearerAuth(token: string | undefined): Pick<UpstreamOptions, "auth"> {
  if (!token) return {};
  const header: AuthPlacement = { in: "header", name: "authorization", scheme: "Bearer", value: token };
  return { auth: { http: [header], ws: [header] } };
}
