import type http from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError } from "../base/errors.js";
import { observeRefusal } from "../observe/observer.js";
import type { NetworkGuard } from "./shared/guard.js";
import type { OAuthRefusal, OAuthResourceServer, RequestAccess } from "./shared/oauth.js";
import { sendJson, sendProblem } from "./shared/problem.js";

/**
 * What every request to either listener passes before MCP or REST sees it: the health probe, the
 * OAuth metadata, the guard's refusal, the token check; and how a listener starts.
 */

export const INSTANCE_HEADER = "x-mcp-instance";

export function pathOf(req: http.IncomingMessage): string {
  const raw = req.url ?? "/";
  const q = raw.indexOf("?");
  return q >= 0 ? raw.slice(0, q) : raw;
}

/**
 * Liveness: Host/Origin still checked; no bearer needed so probes work. The details (session
 * counts, routes) only with the configured token: without one configured, nobody sees them.
 */
export function health(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  guard: NetworkGuard,
  oauth: OAuthResourceServer | undefined,
  details: () => Record<string, unknown>,
): void {
  const verdict = guard.check(req, { skipAuth: true });
  if (!verdict.ok) {
    refuse(res, verdict);
    return;
  }
  if (!oauth) {
    sendJson(res, 200, { status: "ok", ...(guard.authenticated(req) ? details() : {}) });
    return;
  }
  // With OAuth, the details need a valid token; a probe without one still gets "ok".
  const authed = req.headers.authorization ? oauth.authenticate(req).then((a) => a.ok) : Promise.resolve(false);
  void authed.catch(() => false).then((ok) => sendJson(res, 200, { status: "ok", ...(ok ? details() : {}) }));
}

/** Serves the protected resource metadata (Host/Origin checked, no token: clients read it to sign in). */
export function metadataRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  guard: NetworkGuard,
  oauth: OAuthResourceServer,
): boolean {
  if (!path.startsWith("/.well-known/")) return false;
  const verdict = guard.check(req, { skipAuth: true });
  if (!verdict.ok) {
    refuse(res, verdict);
    return true;
  }
  return oauth.serveMetadata(req, res, path);
}

/** authorize's answer when it has already answered the request. */
export const REFUSED = Symbol("refused");

/** With OAuth, verifies the token (answering the refusal itself); without, nothing to add. */
export async function authorize(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  oauth: OAuthResourceServer | undefined,
  mount: string | undefined,
): Promise<RequestAccess | undefined | typeof REFUSED> {
  if (!oauth) return undefined;
  const auth = await oauth.authenticate(req, mount);
  if (auth.ok) return auth.access;
  const r = auth.refusal;
  const reason = r.status === 401 ? "authentication" : "scope";
  observeRefusal({ transport: mount ? "http" : "rest", reason, status: r.status, detail: r.description });
  sendProblem(
    res,
    { title: titleOf(r), status: r.status, detail: r.description, ...(r.error ? { error: r.error } : {}) },
    r.headers,
  );
  return REFUSED;
}

export function titleOf(r: OAuthRefusal): string {
  return r.status === 401 ? "Unauthorized" : r.status === 403 ? "Insufficient scope" : "Authorization unavailable";
}

export function refuse(res: http.ServerResponse, verdict: { status?: number; title?: string; detail?: string }): void {
  const status = verdict.status ?? 403;
  observeRefusal({ transport: "http", reason: refusalReason(status), status, detail: verdict.detail });
  sendProblem(
    res,
    { title: verdict.title ?? "Forbidden", status, ...(verdict.detail ? { detail: verdict.detail } : {}) },
    status === 401 ? { "www-authenticate": 'Bearer realm="infra-mcp"' } : {},
  );
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new ConfigError(`Port ${port} on ${host} is already in use; choose another with --port/--rest-port.`)
          : error,
      );
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** 401 is a failed sign-in; a 403 of the guard is a Host or Origin it does not accept; OAuth's is scope. */
export function refusalReason(status: number | undefined): "authentication" | "scope" | "host-or-origin" {
  return status === 401 ? "authentication" : status === 403 ? "host-or-origin" : "authentication";
}
