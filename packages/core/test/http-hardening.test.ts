/**
 * The holes a browser page or another user could use, closed (issue: "a cross-site GET must not run
 * exec, per-user secrets stay per user, sessions stay bound"). Everything over real loopback sockets
 * against the fake vendor, as an attacker or a second user would send it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { readCredential } from "../src/base/credentials.js";
import { ConfigError } from "../src/base/errors.js";
import { redactor } from "../src/base/redact.js";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK, textOf, waitFor } from "../src/testing/index.js";
import { anyFake, closedStreams } from "./fixtures/fake-vendor.js";
import { connectHttp as connect } from "./helpers.js";

const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});
const LIST = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with full control of the headers (fetch cannot send Sec-Fetch-Site or Host). */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<Raw>((resolve, reject) => {
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

const UPGRADE = {
  connection: "Upgrade",
  upgrade: "websocket",
  "sec-websocket-version": "13",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
};

async function initialize(url: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await raw(url, { method: "POST", headers: { ...MCP_HEADERS, ...headers }, body: INIT });
  expect(r.status).toBe(200);
  return r.headers["mcp-session-id"] as string;
}

describe("HTTP hardening (loopback, no token: the default setup)", () => {
  let net: NetworkHandle;
  let mcp: string;
  let rest: string;
  let upstream: WebSocketServer;

  beforeAll(async () => {
    // Upstream websocket that echoes every frame with its type.
    upstream = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    upstream.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise((r) => upstream.once("listening", r));
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: true,
      env: {
        FAKE_TOKEN: "env-token-0000",
        FAKE_WS_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      },
    });
    mcp = net.mcpUrls["fake-mcp"]!;
    rest = net.restUrl!;
  });
  afterAll(async () => {
    await net.close();
    upstream.close();
  });

  it("a plain GET never runs a tool that changes things: 405 on a websocket route; POST or the Upgrade runs it", async () => {
    const get = await raw(`${rest}/v1/stream?label=cross-site-get`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    expect(JSON.parse(get.body).detail).toMatch(/Upgrade|POST/);
    expect(closedStreams).not.toContain("cross-site-get");
    const post = await raw(`${rest}/v1/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ label: "posted" }),
    });
    expect(post.status).toBe(200);
    expect(closedStreams).toContain("posted");
    // A read-only tool still answers GET.
    expect((await raw(`${rest}/v1/whoami`)).status).toBe(200);
  });

  it("refuses Sec-Fetch-Site cross-site and same-site on every route: MCP, REST, upgrade, /healthz", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const h = { "sec-fetch-site": site };
      const m = await raw(mcp, { method: "POST", headers: { ...MCP_HEADERS, ...h }, body: INIT });
      expect(m.status).toBe(403);
      expect(JSON.parse(m.body).title).toBe("Forbidden cross-site request");
      expect((await raw(`${rest}/v1/whoami`, { headers: h })).status).toBe(403);
      expect((await raw(`${rest}/v1/stream?label=x`, { headers: { ...UPGRADE, ...h } })).status).toBe(403);
      expect((await raw(`${rest}/healthz`, { headers: h })).status).toBe(403);
      expect((await raw(mcp.replace("/mcp", "/healthz"), { headers: h })).status).toBe(403);
    }
    // What a browser sends for its own page, or a non-browser client (no header), passes.
    expect((await raw(`${rest}/v1/whoami`, { headers: { "sec-fetch-site": "same-origin" } })).status).toBe(200);
  });

  it("a REST body must be application/json (415), so an HTML form or a simple fetch cannot post one", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const r = await raw(`${rest}/v1/stream`, {
        method: "POST",
        headers: { "content-type": type },
        body: JSON.stringify({ label: `form-${type}` }),
      });
      expect(r.status).toBe(415);
      expect(closedStreams).not.toContain(`form-${type}`);
    }
    const none = await raw(`${rest}/v1/add`, { method: "POST", body: '{"a":1}' });
    expect(none.status).toBe(415);
  });

  it("binds a session to the credential it was opened with: any other request is 403, DELETE included", async () => {
    const alice = { "x-fake-token": "alice-token-1111" };
    const sid = await initialize(mcp, alice);
    const as = (headers: Record<string, string>, method = "POST") =>
      raw(mcp, {
        method,
        headers: { ...MCP_HEADERS, "mcp-session-id": sid, ...headers },
        ...(method === "POST" ? { body: LIST } : {}),
      });
    const without = await as({});
    expect(without.status).toBe(403);
    expect(JSON.parse(without.body).error.message).toMatch(/same one/);
    expect((await as({}, "DELETE")).status).toBe(403);
    expect((await as({ "x-fake-token": "bob-token-2222" })).status).toBe(403);
    expect((await as(alice)).status).toBe(200); // still alive after the refused DELETE
    expect((await as(alice, "DELETE")).status).toBe(200);
    // A session opened without a credential cannot be switched to one.
    const plain = await initialize(mcp);
    const switched = await raw(mcp, {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": plain, ...alice },
      body: LIST,
    });
    expect(switched.status).toBe(403);
    await raw(mcp, { method: "DELETE", headers: { "mcp-session-id": plain } });
  });

  it("refuses a credential header too short to redact (400), on MCP and REST", async () => {
    const m = await raw(mcp, { method: "POST", headers: { ...MCP_HEADERS, "x-fake-token": "abc" }, body: INIT });
    expect(m.status).toBe(400);
    expect(m.body).toMatch(/shorter than 6/);
    expect((await raw(`${rest}/v1/whoami`, { headers: { "x-fake-token": "abc" } })).status).toBe(400);
  });

  it("one user's header value never blanks another user's result (REST and MCP), and does not pile up", async () => {
    const before = redactor.size;
    // The reproduction: the value "settings", even on a request refused upstream.
    const refused = await raw(`${rest}/v1/whoami`, { headers: { "x-fake-token": "settings" } });
    expect(refused.status).toBe(401);
    const attacker = await connect(mcp, { "x-fake-token": "settings" });
    const other = await raw(`${rest}/v1/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: 1, tags: ["No advanced settings returned"] }),
    });
    expect(JSON.parse(other.body).tags).toEqual(["No advanced settings returned"]);
    const victim = await connect(mcp);
    const r = await victim.call("add", { a: 1, tags: ["No advanced settings returned"] });
    expect(r.structuredContent).toMatchObject({ tags: ["No advanced settings returned"] });
    // Thousands of distinct values: the process-wide set does not grow, so nobody's redaction slows.
    for (let i = 0; i < 5_000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          raw(`${rest}/v1/whoami`, { headers: { "x-fake-token": `distinct-value-${i + j}` } }),
        ),
      );
    }
    expect(redactor.size).toBe(before);
    await attacker.transport.terminateSession();
    await victim.transport.terminateSession();
    await Promise.all([attacker.client.close(), victim.client.close()]);
  }, 60_000);

  it("scrubs the user's own credential from its results, keys included (MCP and REST)", async () => {
    const a = await connect(mcp, { "x-fake-token": "alice-token-1111" });
    const leak = await a.call("leak-token");
    expect(JSON.stringify(leak)).not.toContain("alice-token-1111");
    expect(leak.structuredContent).toEqual({ echoed: "Bearer [REDACTED]", byToken: { "[REDACTED]": "me" } });
    expect(textOf(leak)).toBe("token is [REDACTED]");
    await a.transport.terminateSession();
    await a.client.close();
    const r = await raw(`${rest}/v1/leak`, { headers: { "x-fake-token": "bob-token-2222" } });
    expect(JSON.parse(r.body)).toEqual({ echoed: "Bearer [REDACTED]", byToken: { "[REDACTED]": "me" } });
    // Configured credentials (process-wide) the same way.
    const env = await raw(`${rest}/v1/leak`);
    expect(env.body).not.toContain("env-token-0000");
    expect(JSON.parse(env.body).byToken).toEqual({ "[REDACTED]": "me" });
  });

  it("scrubs secrets from text and binary frames on the websocket passthrough", async () => {
    const ws = new WebSocket(`${rest.replace("http", "ws")}/v1/stream?label=frames`, {
      headers: { "x-fake-token": "bob-token-2222" },
    });
    const got: { data: string; binary: boolean }[] = [];
    ws.on("message", (d, isBinary) => got.push({ data: d.toString(), binary: isBinary }));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    ws.send("my key bob-token-2222 and env-token-0000");
    ws.send(Buffer.from("bin bob-token-2222"), { binary: true });
    const end = Date.now() + 3_000;
    while (got.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(got[0]).toEqual({ data: "my key [REDACTED] and [REDACTED]", binary: false });
    expect(got[1]).toEqual({ data: "bin [REDACTED]", binary: true });
    ws.close();
  });

  it("keeps session ids out of info-level logs", async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "info";
    process.stderr.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let sid: string;
    try {
      sid = await initialize(mcp);
      await raw(mcp, { method: "DELETE", headers: { "mcp-session-id": sid } });
      await waitFor(() => lines.join("").includes("MCP session closed"), { what: "the session-closed log line" });
    } finally {
      process.stderr.write = write;
      if (level === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = level;
    }
    const log = lines.join("");
    expect(log).toContain("MCP session opened");
    expect(log).toContain("MCP session closed");
    expect(log).not.toContain(sid);
  });

  it("refuses a configured credential too short to redact, naming the variable", () => {
    expect(() => readCredential({ env: ["SHORT_KEY"], description: "Short key" }, { SHORT_KEY: "abc" })).toThrow(
      ConfigError,
    );
    expect(() => readCredential({ env: ["SHORT_KEY"], description: "Short key" }, { SHORT_KEY: "abc" })).toThrow(
      /SHORT_KEY.*shorter than 6/,
    );
  });
});

describe("per-client session share", () => {
  let net: NetworkHandle;
  let mcp: string;

  beforeAll(async () => {
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: {},
      limits: { maxSessions: 4, maxSessionsPerClient: 2 },
    });
    mcp = net.mcpUrls["fake-mcp"]!;
  });
  afterAll(() => net.close());

  it("one client (by credential, else address) cannot take every slot", async () => {
    const mine = [await initialize(mcp), await initialize(mcp)];
    const third = await raw(mcp, { method: "POST", headers: MCP_HEADERS, body: INIT });
    expect(third.status).toBe(503);
    expect(JSON.parse(third.body).error.message).toMatch(/its share.*MCP_HTTP_MAX_SESSIONS_PER_CLIENT/);
    // Another client (here told apart by its credential) still gets in.
    const alice = await initialize(mcp, { "x-fake-token": "alice-token-1111" });
    const bob = await initialize(mcp, { "x-fake-token": "bob-token-2222" });
    // The global cap still holds.
    const over = await raw(mcp, {
      method: "POST",
      headers: { ...MCP_HEADERS, "x-fake-token": "carol-token-3333" },
      body: INIT,
    });
    expect(over.status).toBe(503);
    expect(JSON.parse(over.body).error.message).toMatch(/Too many MCP sessions/);
    // A closed session gives its slot back to its client.
    await raw(mcp, { method: "DELETE", headers: { "mcp-session-id": mine[0]! } });
    const again = await initialize(mcp);
    for (const [sid, h] of [
      [mine[1]!, {}],
      [again, {}],
      [alice, { "x-fake-token": "alice-token-1111" }],
      [bob, { "x-fake-token": "bob-token-2222" }],
    ] as const) {
      expect((await raw(mcp, { method: "DELETE", headers: { "mcp-session-id": sid, ...h } })).status).toBe(200);
    }
    expect(net.endpoints[0]!.sessionCount).toBe(0);
  });
});

describe("/healthz with a token configured", () => {
  const TOKEN = "healthz-token-abcdef";
  let net: NetworkHandle;

  beforeAll(async () => {
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: true,
      env: { MCP_HTTP_TOKEN: TOKEN },
    });
  });
  afterAll(() => net.close());

  it("shows session counts and routes only to a request with the token", async () => {
    const health = `http://127.0.0.1:${net.httpPort}/healthz`;
    expect(JSON.parse((await raw(health)).body)).toEqual({ status: "ok" });
    const authed = await raw(health, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(JSON.parse(authed.body)).toEqual({ status: "ok", sessions: { "fake-mcp": 0 } });
    const restHealth = `${net.restUrl}/healthz`;
    expect(JSON.parse((await raw(restHealth)).body)).toEqual({ status: "ok" });
    const restAuthed = JSON.parse((await raw(restHealth, { headers: { authorization: `Bearer ${TOKEN}` } })).body);
    expect(restAuthed.routes).toBeGreaterThan(0);
  });
});
