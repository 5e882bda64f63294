import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveNetwork } from "@infra-mcp/core/network";
import { LOOPBACK_TEST_NETWORK, textOf, waitFor } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIncusClient } from "../src/config.js";
import { incusVendor } from "../src/index.js";
import { connect, gate, INSTANCE, incus, structured } from "./helpers.js";

const HTTPS = "https://127.0.0.1:8443";
const SERVER_CERT = "/var/lib/incus/server.crt";

describe.skipIf(gate.skip)("HTTPS with a trusted client certificate (same daemon, core.https_address)", () => {
  const dir = mkdtempSync(join(tmpdir(), "incus-mcp-tls-"));
  const crt = join(dir, "client.crt");
  const key = join(dir, "client.key");
  let fingerprint = "";
  beforeAll(() => {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:secp384r1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=incus-mcp-test-${process.pid}`,
        "-keyout",
        key,
        "-out",
        crt,
      ],
      { stdio: "pipe" },
    );
    fingerprint = execFileSync("openssl", ["x509", "-in", crt, "-noout", "-fingerprint", "-sha256"], {
      encoding: "utf8",
    })
      .replace(/^.*=/, "")
      .replace(/:/g, "")
      .trim()
      .toLowerCase();
    incus("config", "trust", "add-certificate", crt, "--name", `incus-mcp-test-${process.pid}`);
  });
  afterAll(() => {
    try {
      incus("config", "trust", "remove", fingerprint);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("INCUS_URL + client cert + pinned server cert: lists operations and runs an exec over wss://", async () => {
    const c = await connect({
      INCUS_URL: HTTPS,
      INCUS_CLIENT_CERT: crt,
      INCUS_CLIENT_KEY: key,
      INCUS_SERVER_CERT: SERVER_CERT,
    });
    try {
      expect((await c.call("get-operations", {})).isError).toBeFalsy();
      const r = structured<{ exitCode: number; stdout: string; stderr: string }>(
        await c.call("exec-in-instance", { instance: INSTANCE, command: ["sh", "-c", "echo tls; echo e >&2; exit 4"] }),
      );
      expect(r).toMatchObject({ exitCode: 4, stdout: "tls\n", stderr: "e\n" });
    } finally {
      await c.close();
    }
  });

  it("the server really authenticated us as trusted", async () => {
    const client = createIncusClient({
      INCUS_URL: HTTPS,
      INCUS_CLIENT_CERT: crt,
      INCUS_CLIENT_KEY: key,
      INCUS_SERVER_CERT: SERVER_CERT,
    });
    try {
      const body = await client.http.json<{ metadata: { auth: string } }>({ method: "GET", path: "/1.0" });
      expect(body.metadata.auth).toBe("trusted");
    } finally {
      await client.http.close();
    }
  });

  it("over HTTP, X-Incus-Token replaces the server's certificate: a made-up token is refused, not trusted as the server", async () => {
    const net = await serveNetwork([incusVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { INCUS_URL: HTTPS, INCUS_CLIENT_CERT: crt, INCUS_CLIENT_KEY: key, INCUS_SERVER_CERT: SERVER_CERT },
    });
    const initialize = (headers: Record<string, string>) =>
      fetch(net.mcpUrls["incus-mcp"] as string, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
        }),
      });
    try {
      const made = await initialize({ "X-Incus-Token": "made-up-incus-token-0123456789" });
      const text = await made.text();
      expect(made.status, text).toBe(401);
      expect(text).toMatch(/x-incus-token header was refused.*untrusted/);
      expect(net.endpoints[0]?.sessionCount).toBe(0);
      // Without the header the server's own certificate is used, as before.
      expect((await initialize({})).status).toBe(200);
    } finally {
      await net.close();
    }
  });

  it("without pinning the self-signed server cert: a clear TLS error", async () => {
    const c = await connect({ INCUS_URL: HTTPS, INCUS_CLIENT_CERT: crt, INCUS_CLIENT_KEY: key });
    try {
      const r = await c.call("get-operations", {});
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/Cannot reach Incus.*(self-signed|certificate|CERT)/i);
    } finally {
      await c.close();
    }
  });

  it("INCUS_REMOTE reads the incus CLI config.yml and its certificates", async () => {
    const conf = join(dir, "conf");
    mkdirSync(join(conf, "servercerts"), { recursive: true });
    writeFileSync(
      join(conf, "config.yml"),
      `default-remote: local\nremotes:\n  local:\n    addr: unix://\n    public: false\n  testremote:\n    addr: ${HTTPS}\n    auth_type: tls\n    project: default\n    protocol: incus\n    public: false\n`,
    );
    writeFileSync(join(conf, "client.crt"), readFileSync(crt));
    writeFileSync(join(conf, "client.key"), readFileSync(key));
    writeFileSync(join(conf, "servercerts", "testremote.crt"), readFileSync(SERVER_CERT));
    const c = await connect({ INCUS_REMOTE: "testremote", INCUS_CONF: conf });
    try {
      const r = structured<{ exitCode: number; stdout: string }>(
        await c.call("exec-in-instance", { instance: INSTANCE, command: ["echo", "remote"] }),
      );
      expect(r).toMatchObject({ exitCode: 0, stdout: "remote\n" });
      const unknown = await connect({ INCUS_REMOTE: "nope", INCUS_CONF: conf });
      const e = await unknown.call("get-operations", {});
      expect(textOf(e)).toMatch(/INCUS_REMOTE=nope.*known: local, testremote/);
      await unknown.close();
    } finally {
      await c.close();
    }
  });
});

/** A loopback server that records headers and answers like Incus; no real OIDC provider exists here. */
async function capture(handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: http.IncomingHttpHeaders[] = [];
  const urls: string[] = [];
  const closed: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    urls.push(req.url ?? "");
    req.on("close", () => closed.push(req.url ?? ""));
    if (handler) return handler(req, res);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ type: "sync", status_code: 200, metadata: { running: [] } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    urls,
    closed,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe("bearer token, redaction, cancellation and a dead daemon (loopback, no daemon needed)", () => {
  it("sends INCUS_TOKEN (and the INCUS_API_KEY alias) as Authorization: Bearer, never in results", async () => {
    const secret = "fake-oidc-token-XYZZY-1234567890";
    const srv = await capture((_req, res) => {
      res.setHeader("content-type", "application/json");
      // an upstream that echoes the token back must not leak it
      res.end(JSON.stringify({ type: "sync", status_code: 200, metadata: { running: [`/1.0/operations/${secret}`] } }));
    });
    try {
      for (const name of ["INCUS_TOKEN", "INCUS_API_KEY"]) {
        const c = await connect({ INCUS_URL: srv.url, [name]: secret });
        const r = await c.call("get-operations", {});
        expect(JSON.stringify(r)).not.toContain(secret);
        expect(JSON.stringify(r)).toContain("[REDACTED]");
        await c.close();
      }
      expect(srv.seen.map((h) => h.authorization)).toEqual([`Bearer ${secret}`, `Bearer ${secret}`]);
    } finally {
      await srv.close();
    }
  });

  it("registers the OIDC token read from the incus CLI's token cache (INCUS_REMOTE), so it never leaks", async () => {
    const secret = "cached-oidc-access-token-Q7W3E9R1";
    const srv = await capture((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ type: "sync", status_code: 200, metadata: { running: [`/1.0/operations/${secret}`] } }));
    });
    const conf = mkdtempSync(join(tmpdir(), "incus-mcp-oidc-"));
    try {
      mkdirSync(join(conf, "oidctokens"));
      writeFileSync(
        join(conf, "config.yml"),
        `remotes:\n  sso:\n    addr: ${srv.url}\n    auth_type: oidc\n    protocol: incus\n    public: false\n`,
      );
      writeFileSync(
        join(conf, "oidctokens", "sso.json"),
        JSON.stringify({ access_token: secret, token_type: "Bearer", refresh_token: "cached-refresh-token-Z9X8" }),
      );
      const c = await connect({ INCUS_REMOTE: "sso", INCUS_CONF: conf });
      const r = await c.call("get-operations", {});
      expect(srv.seen.at(-1)?.authorization).toBe(`Bearer ${secret}`);
      expect(JSON.stringify(r)).not.toContain(secret);
      expect(JSON.stringify(r)).toContain("[REDACTED]");
      await c.close();
      // A cached token too short to redact is refused, naming where it came from.
      writeFileSync(join(conf, "oidctokens", "sso.json"), JSON.stringify({ access_token: "abc" }));
      const short = await connect({ INCUS_REMOTE: "sso", INCUS_CONF: conf });
      const e = await short.call("get-operations", {});
      expect(e.isError).toBe(true);
      expect(textOf(e)).toMatch(/Remote sso.*shorter than 6/);
      await short.close();
    } finally {
      rmSync(conf, { recursive: true, force: true });
      await srv.close();
    }
  });

  it("a client cancel aborts the upstream wait request", async () => {
    const srv = await capture(() => {
      // never answers, like a wait on an operation that does not end
    });
    try {
      const c = await connect({ INCUS_URL: srv.url, INCUS_TOKEN: "some-token-value" });
      const ac = new AbortController();
      const call = c.client.callTool({ name: "wait-operation", arguments: { id: "abc", timeout: -1 } }, undefined, {
        signal: ac.signal,
      });
      const wait = (u: string) => u.startsWith("/1.0/operations/abc/wait?timeout=-1");
      await waitFor(() => srv.urls.some(wait), { what: "the upstream wait request to arrive" });
      ac.abort();
      await expect(call).rejects.toThrow();
      await waitFor(() => srv.closed.some(wait), { what: "the upstream wait request to be closed" });
      await c.close();
    } finally {
      await srv.close();
    }
  });

  it("daemon down (a socket path with nothing listening): clear error within the timeout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "incus-mcp-dead-"));
    const stale = join(dir, "stale.socket");
    // a socket file left behind by a dead daemon: it exists, nobody listens on it
    execFileSync("python3", ["-c", `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(stale)})`]);
    const cases: [string, RegExp][] = [
      [stale, /ECONNREFUSED/],
      [join(dir, "missing.socket"), /ENOENT/],
    ];
    for (const [path, code] of cases) {
      const c = await connect({ INCUS_SOCKET: path, INCUS_TIMEOUT_MS: "5000" });
      const t0 = Date.now();
      const r = await c.call("get-operations", {});
      expect(Date.now() - t0).toBeLessThan(6_000);
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/Cannot reach Incus at unix:.*\.socket/);
      expect(textOf(r)).toMatch(code);
      await c.close();
    }
    const c = await connect({ INCUS_SOCKET: stale, INCUS_TIMEOUT_MS: "5000" });
    try {
      const ex = await c.call("exec-in-instance", { instance: "c1", command: ["true"] });
      expect(textOf(ex)).toMatch(/Cannot reach Incus/);
    } finally {
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("configuration errors name the variable", async () => {
    const half = await connect({ INCUS_URL: "https://127.0.0.1:1", INCUS_CLIENT_CERT: "/etc/hostname" });
    expect(textOf(await half.call("get-operations", {}))).toMatch(/INCUS_CLIENT_CERT and INCUS_CLIENT_KEY/);
    await half.close();
    const none = await connect({ INCUS_URL: "https://127.0.0.1:1" });
    expect(textOf(await none.call("get-operations", {}))).toMatch(/INCUS_TOKEN/);
    await none.close();
    const missing = await connect({
      INCUS_URL: "https://127.0.0.1:1",
      INCUS_CLIENT_CERT: "/nope.crt",
      INCUS_CLIENT_KEY: "/nope.key",
    });
    expect(textOf(await missing.call("get-operations", {}))).toMatch(/INCUS_CLIENT_CERT points at \/nope\.crt/);
    await missing.close();
  });
});
