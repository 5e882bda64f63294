/**
 * The transports' small modules one by one (guard, body, problem, limits, per-user credential);
 * what they do together over real sockets is in http-security.test.ts and http-hardening.test.ts.
 */
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { digest } from "../src/base/digest.js";
import { ConfigError } from "../src/base/errors.js";
import { redactor } from "../src/base/redact.js";
import { BodyTooLargeError, hasBody, isJsonContentType, readBody } from "../src/serving/shared/body.js";
import { CredentialHeaderError, credentialOverride, sameCredential } from "../src/serving/shared/credential.js";
import { NetworkGuard } from "../src/serving/shared/guard.js";
import { DEFAULT_NETWORK_LIMITS, limitsFromEnv, resolveLimits } from "../src/serving/shared/limits.js";
import { refuseUpgrade, sendJson, sendProblem } from "../src/serving/shared/problem.js";

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe("guard", () => {
  const guard = new NetworkGuard({ host: "127.0.0.1", allowedOrigins: ["https://app.example"] });

  it("refuses what a browser marks as sent from another site, whatever the method or Origin", () => {
    for (const site of ["cross-site", "same-site", "Cross-Site"]) {
      const v = guard.check(request({ host: "127.0.0.1", "sec-fetch-site": site }));
      expect(v).toMatchObject({ ok: false, status: 403, title: "Forbidden cross-site request" });
      // A loopback Origin on another port is "same-site" for the browser: refused as well.
      expect(
        guard.check(request({ host: "localhost", origin: "http://localhost:3000", "sec-fetch-site": site })).ok,
      ).toBe(false);
    }
    expect(guard.check(request({ host: "127.0.0.1", "sec-fetch-site": "same-origin" })).ok).toBe(true);
    expect(guard.check(request({ host: "127.0.0.1", "sec-fetch-site": "none" })).ok).toBe(true);
    expect(guard.check(request({ host: "127.0.0.1" })).ok).toBe(true);
  });

  it("takes a loopback Origin for the server's own only on the port the request came to, or when listed", () => {
    const at = (host: string, origin: string, localPort?: number) =>
      ({ headers: { host, origin }, socket: { localPort } }) as unknown as IncomingMessage;
    expect(guard.check(at("localhost:9090", "http://localhost:3000", 9090)).ok).toBe(false);
    expect(guard.check(at("127.0.0.1:9090", "http://127.0.0.1:9091", 9090)).ok).toBe(false);
    expect(guard.check(at("localhost", "http://localhost:8080", 80)).ok).toBe(false);
    expect(guard.check(at("localhost:9090", "http://localhost:9090", 9090)).ok).toBe(true);
    expect(guard.check(at("[::1]:9090", "http://[::1]:9090", 9090)).ok).toBe(true);
    // Behind a loopback proxy: the port the browser addressed (Host) is the server's own too.
    expect(guard.check(at("localhost:8443", "https://localhost:8443", 9090)).ok).toBe(true);
    expect(guard.check(at("localhost", "http://localhost", 9090)).ok).toBe(true);
    const listing = new NetworkGuard({ host: "127.0.0.1", allowedOrigins: ["http://localhost:6274"] });
    expect(listing.check(at("localhost:9090", "http://localhost:6274", 9090)).ok).toBe(true);
    expect(listing.check(at("localhost:9090", "http://localhost:6275", 9090)).ok).toBe(false);
  });

  it("lets a cross-site request in only with an Origin the operator listed", () => {
    const listed = { host: "127.0.0.1", origin: "https://app.example", "sec-fetch-site": "cross-site" };
    expect(guard.check(request(listed)).ok).toBe(true);
    expect(guard.check(request({ ...listed, origin: "https://evil.example" })).ok).toBe(false);
  });

  it("authenticated() is true only with a configured token, presented", () => {
    expect(guard.authenticated(request({ host: "127.0.0.1" }))).toBe(false);
    const tokened = new NetworkGuard({ host: "127.0.0.1", token: "guard-token-123456" });
    expect(tokened.authenticated(request({ authorization: "Bearer guard-token-123456" }))).toBe(true);
    expect(tokened.authenticated(request({ authorization: "Bearer nope" }))).toBe(false);
    expect(redactor.redact("guard-token-123456")).toBe("[REDACTED]");
  });
});

describe("body", () => {
  it("tells JSON from anything else, and a body from none", () => {
    expect(isJsonContentType(request({ "content-type": "application/json; charset=utf-8" }))).toBe(true);
    expect(isJsonContentType(request({ "content-type": "text/plain" }))).toBe(false);
    expect(isJsonContentType(request({ "content-type": "application/x-www-form-urlencoded" }))).toBe(false);
    expect(isJsonContentType(request({}))).toBe(false);
    expect(hasBody(request({ "content-length": "3" }))).toBe(true);
    expect(hasBody(request({ "transfer-encoding": "chunked" }))).toBe(true);
    expect(hasBody(request({ "content-length": "0" }))).toBe(false);
    expect(hasBody(request({}))).toBe(false);
  });

  it("reads up to the limit and refuses more", async () => {
    const small = Object.assign(new PassThrough(), { headers: {} }) as unknown as IncomingMessage;
    const read = readBody(small, 10);
    (small as unknown as PassThrough).end("hello");
    expect((await read).toString()).toBe("hello");
    const big = Object.assign(new PassThrough(), { headers: {} }) as unknown as IncomingMessage;
    const tooBig = readBody(big, 4);
    (big as unknown as PassThrough).end("hello");
    await expect(tooBig).rejects.toBeInstanceOf(BodyTooLargeError);
    const declared = Object.assign(new PassThrough(), { headers: { "content-length": "99" } });
    await expect(readBody(declared as unknown as IncomingMessage, 4)).rejects.toThrow(/4-byte limit/);
  });
});

describe("problem", () => {
  it("answers problem+json and JSON, redacted", async () => {
    redactor.add("problem-secret-xyz");
    const server = http.createServer((req, res) => {
      if (req.url === "/p") sendProblem(res, { title: "No", status: 409, detail: "has problem-secret-xyz" });
      else sendJson(res, 200, { "problem-secret-xyz": "problem-secret-xyz" });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const p = await fetch(`${base}/p`);
    expect(p.status).toBe(409);
    expect(p.headers.get("content-type")).toBe("application/problem+json");
    expect(await p.json()).toEqual({ type: "about:blank", title: "No", status: 409, detail: "has [REDACTED]" });
    expect(await (await fetch(`${base}/j`)).json()).toEqual({ "[REDACTED]": "[REDACTED]" });
    server.close();
  });

  it("refuses an upgrade on the raw socket with a status line and a problem body", () => {
    const socket = new PassThrough();
    let written = "";
    socket.on("data", (d) => {
      written += d;
    });
    refuseUpgrade(socket, 401, "Unauthorized", "token please");
    expect(written).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(written).toContain("www-authenticate: Bearer");
    expect(written).toContain('"detail":"token please"');
  });
});

describe("limits", () => {
  it("gives one client half the session cap unless told otherwise, never more than the cap", () => {
    expect(resolveLimits()).toEqual(DEFAULT_NETWORK_LIMITS);
    expect(resolveLimits({ maxSessions: 10 })).toMatchObject({ maxSessions: 10, maxSessionsPerClient: 5 });
    expect(resolveLimits({ maxSessions: 1 }).maxSessionsPerClient).toBe(1);
    expect(resolveLimits({ maxSessions: 10, maxSessionsPerClient: 50 }).maxSessionsPerClient).toBe(10);
    expect(
      resolveLimits(limitsFromEnv({ MCP_HTTP_MAX_SESSIONS: "100", MCP_HTTP_MAX_SESSIONS_PER_CLIENT: "7" })),
    ).toMatchObject({ maxSessions: 100, maxSessionsPerClient: 7 });
    expect(limitsFromEnv({ MCP_HTTP_SESSION_IDLE_SECONDS: "3" })).toEqual({ sessionIdleMs: 3000 });
    expect(() => limitsFromEnv({ MCP_HTTP_MAX_SESSIONS_PER_CLIENT: "0" })).toThrow(ConfigError);
    expect(() => limitsFromEnv({ MCP_HTTP_MAX_SESSIONS_PER_CLIENT: "x" })).toThrow(/MCP_HTTP_MAX_SESSIONS_PER_CLIENT/);
  });
});

describe("per-user credential", () => {
  const vendor = { credentialHeader: "X-Thing-Key", credentialEnv: "THING_KEY" };

  it("carries the value's digest for binding, and refuses a value too short to redact", () => {
    const o = credentialOverride(vendor, { "x-thing-key": "user-key-98765" }, {});
    expect(o?.digest.equals(digest("user-key-98765"))).toBe(true);
    expect(() => credentialOverride(vendor, { "x-thing-key": "12345" }, {})).toThrow(CredentialHeaderError);
  });

  it("sameCredential: equal digests, or neither side has one", () => {
    expect(sameCredential(undefined, undefined)).toBe(true);
    expect(sameCredential(digest("a-value-1"), undefined)).toBe(false);
    expect(sameCredential(undefined, digest("a-value-1"))).toBe(false);
    expect(sameCredential(digest("a-value-1"), digest("a-value-1"))).toBe(true);
    expect(sameCredential(digest("a-value-1"), digest("a-value-2"))).toBe(false);
  });
});
