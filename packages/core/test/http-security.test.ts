import { spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../src/base/errors.js";
import { redactor } from "../src/base/redact.js";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { CredentialHeaderError, credentialOverride } from "../src/serving/shared/credential.js";
import { hostnameOf, isLoopbackHost, NetworkGuard } from "../src/serving/shared/guard.js";
import { LOOPBACK_TEST_NETWORK } from "../src/testing/index.js";
import { anyFake } from "./fixtures/fake-vendor.js";

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with full control of the headers (fetch cannot set Host). */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

const base = {
  ...LOOPBACK_TEST_NETWORK,
  http: true,
  rest: true,
} as const;

describe("network guard (loopback, no token)", () => {
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    net = await serveNetwork([anyFake], { ...base, host: "127.0.0.1", env: {}, limits: { maxBodyBytes: 4096 } });
    url = net.mcpUrls["fake-mcp"]!;
  });
  afterAll(() => net.close());

  it("refuses a foreign Host header (DNS rebinding) on MCP and REST", async () => {
    const mcp = await raw(url, { method: "POST", headers: { ...MCP_HEADERS, host: "evil.example" }, body: INIT });
    expect(mcp.status).toBe(403);
    expect(mcp.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(mcp.body)).toMatchObject({ status: 403, title: "Forbidden host" });
    const rest = await raw(`${net.restUrl}/v1/add/1`, { headers: { host: "evil.example:8080" } });
    expect(rest.status).toBe(403);
  });

  it("refuses a foreign Origin, and a loopback one on another port; accepts the server's own", async () => {
    const evil = await raw(url, {
      method: "POST",
      headers: { ...MCP_HEADERS, origin: "https://evil.example" },
      body: INIT,
    });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body)).toMatchObject({ title: "Forbidden origin" });
    // Another local program's page (a dev server, the Inspector's UI) is another site: listed only.
    for (const origin of ["http://localhost:6274", "http://127.0.0.1:3000", "https://localhost"]) {
      const other = await raw(url, { method: "POST", headers: { ...MCP_HEADERS, origin }, body: INIT });
      expect(other.status, origin).toBe(403);
      expect(JSON.parse(other.body)).toMatchObject({ title: "Forbidden origin" });
    }
    const port = new URL(url).port;
    const local = await raw(url, {
      method: "POST",
      headers: { ...MCP_HEADERS, origin: `http://localhost:${port}`, host: `localhost:${port}` },
      body: INIT,
    });
    expect(local.status).toBe(200);
    const sid = local.headers["mcp-session-id"] as string;
    expect(sid).toBeTruthy();
    const del = await raw(url, { method: "DELETE", headers: { "mcp-session-id": sid } });
    expect(del.status).toBe(200);
  });

  it("answers an oversized body with 413 on MCP and REST, and stays up", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(10_000) } });
    const mcp = await raw(url, { method: "POST", headers: MCP_HEADERS, body: big });
    expect(mcp.status).toBe(413);
    const rest = await raw(`${net.restUrl}/v1/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: 1, tags: ["y".repeat(10_000)] }),
    });
    expect(rest.status).toBe(413);
    expect(rest.headers["content-type"]).toBe("application/problem+json");
    const ok = await raw(`${net.restUrl}/v1/add/40?b=2`);
    expect(JSON.parse(ok.body)).toMatchObject({ sum: 42 });
  });

  it("treats loopback names as loopback and strips ports from Host", () => {
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("::1")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("0.0.0.0")).toBe(false);
    expect(isLoopbackHost("10.0.0.5")).toBe(false);
    expect(hostnameOf("[::1]:9090")).toBe("::1");
    expect(hostnameOf("LocalHost:80")).toBe("localhost");
  });
});

describe("credential header override", () => {
  const vendor = { credentialHeader: "X-Thing-Key", credentialEnv: "THING_KEY", credentialEnvClear: ["THING_JWT"] };

  it("replaces the variable, drops its _FILE form and conflicting alternatives, and registers nothing process-wide", () => {
    const base = { THING_KEY_FILE: "/run/secrets/k", THING_JWT: "server-jwt-value", THING_URL: "https://thing" };
    const before = redactor.size;
    const o = credentialOverride(vendor, { "x-thing-key": " user-key-98765 " }, base);
    expect(o?.env).toEqual({ THING_KEY: "user-key-98765", THING_URL: "https://thing" });
    expect(o?.value).toBe("user-key-98765");
    // The caller scopes it to the session or request it accepts; nobody else's output loses it.
    expect(redactor.size).toBe(before);
    expect(redactor.redact("got user-key-98765")).toBe("got user-key-98765");
    expect(base).toHaveProperty("THING_JWT");
  });

  it("refuses a value too short to redact", () => {
    expect(() => credentialOverride(vendor, { "x-thing-key": "abc" }, {})).toThrow(CredentialHeaderError);
    expect(() => credentialOverride(vendor, { "x-thing-key": "abc" }, {})).toThrow(/X-Thing-Key.*shorter than 6/);
  });

  it("is undefined without the header or without a declared header", () => {
    expect(credentialOverride(vendor, {}, {})).toBeUndefined();
    expect(credentialOverride({}, { "x-thing-key": "abcdefgh" }, {})).toBeUndefined();
  });
});

describe("non-loopback bind", () => {
  it("refuses to start without MCP_HTTP_TOKEN", async () => {
    await expect(serveNetwork([anyFake], { ...base, host: "0.0.0.0", env: {} })).rejects.toBeInstanceOf(ConfigError);
    await expect(serveNetwork([anyFake], { ...base, host: "0.0.0.0", env: {} })).rejects.toThrow(/MCP_HTTP_TOKEN/);
    expect(() => new NetworkGuard({ host: "192.0.2.7" })).toThrow(/MCP_HTTP_TOKEN/);
  });

  describe("with MCP_HTTP_TOKEN", () => {
    const TOKEN = "gateway-secret-token-42";
    let net: NetworkHandle;
    let url: string;
    let restUrl: string;

    beforeAll(async () => {
      net = await serveNetwork([anyFake], { ...base, host: "0.0.0.0", env: { MCP_HTTP_TOKEN: TOKEN } });
      url = `http://127.0.0.1:${net.httpPort}/mcp`;
      restUrl = `http://127.0.0.1:${net.restPort}`;
    });
    afterAll(() => net.close());

    it("needs the bearer token on every request: missing or wrong → 401", async () => {
      const missing = await raw(url, { method: "POST", headers: MCP_HEADERS, body: INIT });
      expect(missing.status).toBe(401);
      expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
      const wrong = await raw(url, {
        method: "POST",
        headers: { ...MCP_HEADERS, authorization: "Bearer not-the-token" },
        body: INIT,
      });
      expect(wrong.status).toBe(401);
      const prefix = await raw(url, {
        method: "POST",
        headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN.slice(0, -1)}` },
        body: INIT,
      });
      expect(prefix.status).toBe(401);
      expect((await raw(`${restUrl}/v1/add/1`)).status).toBe(401);
      expect((await raw(`${restUrl}/v1/add/1`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      // A websocket Upgrade on the REST port is guarded the same way.
      const upgrade = await raw(`${restUrl}/v1/stream?label=x`, {
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      expect(upgrade.status).toBe(401);
      // Liveness needs no token and reveals nothing without it.
      const health = await raw(`http://127.0.0.1:${net.httpPort}/healthz`);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: "ok" });
    });

    it("serves an SDK client that sends the token", async () => {
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      });
      const client = new Client({ name: "t", version: "0" });
      await client.connect(transport);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await transport.terminateSession();
      await client.close();
    });
  });
});

describe("signals", () => {
  it("SIGTERM with an open session and stream exits within 5 s", async () => {
    const script = fileURLToPath(new URL("./fixtures/serve-fake.mjs", import.meta.url));
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const m = /LISTENING (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once("exit", () => reject(new Error(`exited early: ${stderr}`)));
    });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    const client = new Client({ name: "t", version: "0" });
    await client.connect(transport);
    await client.callTool({ name: "open-stream", arguments: { label: "sigterm" } });
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    const code = await exited;
    const took = Date.now() - started;
    expect(code).toBe(0);
    expect(took).toBeLessThan(5_000);
    expect(stderr).toMatch(/stream closed: sigterm/);
    await client.close().catch(() => {});
  }, 15_000);
});
