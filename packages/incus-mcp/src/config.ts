import { existsSync } from "node:fs";
import {
  type AuthPlacement,
  ConfigError,
  type Env,
  HttpClient,
  readCredential,
  readFileSetting,
  readPositiveInt,
  readSetting,
  type TlsOptions,
  type UpstreamOptions,
  upstreamLimitsFromEnv,
} from "@infra-mcp/core";
import { readRemote } from "./remote.js";

export interface IncusClient {
  http: HttpClient;
  /** Default project for project-scoped calls (INCUS_PROJECT, else the remote's project). */
  project: string | undefined;
}

export const SOCKET_CANDIDATES = ["/run/incus/unix.socket", "/var/lib/incus/unix.socket"] as const;

/** INCUS_SOCKET, else the first default socket that exists, else the last default (for the error message). */
export function defaultSocket(env: Env): string {
  const set = readSetting(["INCUS_SOCKET"], env);
  if (set) return set;
  return SOCKET_CANDIDATES.find((p) => existsSync(p)) ?? "/var/lib/incus/unix.socket";
}

/**
 * Transport, in order: INCUS_REMOTE (the incus CLI's config.yml), INCUS_URL (HTTPS with a client
 * certificate and/or a bearer token), else the local unix socket.
 */
export function createIncusClient(env: Env): IncusClient {
  const timeoutMs = readPositiveInt("INCUS_TIMEOUT_MS", 30_000, env);
  const token = readCredential(
    { env: ["INCUS_TOKEN", "INCUS_API_KEY"], file: true, description: "Incus OIDC access token" },
    env,
  );
  const base: Pick<UpstreamOptions, "name" | "timeoutMs" | "retries" | "maxResponseBytes" | "userAgent"> = {
    name: "Incus",
    timeoutMs,
    ...upstreamLimitsFromEnv(env),
    userAgent: "incus-mcp",
  };
  let options: UpstreamOptions;
  let project = readSetting(["INCUS_PROJECT"], env);
  const remoteName = readSetting(["INCUS_REMOTE"], env);
  const url = readSetting(["INCUS_URL"], env);
  if (remoteName) {
    const remote = readRemote(remoteName, env);
    project ??= remote.project;
    if (remote.addr.startsWith("unix:")) {
      const path = remote.addr.replace(/^unix:\/\//, "");
      options = { ...base, baseUrl: "http://incus", socketPath: path || defaultSocket(env) };
    } else {
      const tls: TlsOptions = {};
      if (remote.clientCert) tls.cert = remote.clientCert;
      if (remote.clientKey) tls.key = remote.clientKey;
      if (remote.serverCert) tls.pinnedServerCert = remote.serverCert;
      const bearer = token ?? remote.oidcAccessToken;
      options = { ...base, baseUrl: remote.addr, tls, ...bearerAuth(bearer) };
    }
  } else if (url) {
    const cert = readFileSetting("INCUS_CLIENT_CERT", env);
    const key = readFileSetting("INCUS_CLIENT_KEY", env);
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
    const pinned = readFileSetting("INCUS_SERVER_CERT", env);
    if (pinned) tls.pinnedServerCert = pinned;
    options = { ...base, baseUrl: url, tls, ...bearerAuth(token) };
  } else {
    options = { ...base, baseUrl: "http://incus", socketPath: defaultSocket(env) };
  }
  return { http: new HttpClient(options), project };
}

function bearerAuth(token: string | undefined): Pick<UpstreamOptions, "auth"> {
  if (!token) return {};
  const header: AuthPlacement = { in: "header", name: "authorization", scheme: "Bearer", value: token };
  return { auth: { http: [header], ws: [header] } };
}
