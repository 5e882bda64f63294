import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../src/base/credentials.js";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK, textOf, waitFor } from "../src/testing/index.js";
import { anyFake, closedStreams } from "./fixtures/fake-vendor.js";
import { connectHttp as connect } from "./helpers.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

describe("Streamable HTTP transport (SDK client)", () => {
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { FAKE_TOKEN: "env-token-0000" },
    });
    url = net.mcpUrls["fake-mcp"]!;
  });
  afterAll(() => net.close());

  it("initializes, lists and calls tools; /healthz answers", async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const c = await connect(url);
    expect(c.client.getServerVersion()).toMatchObject({ name: "fake-mcp", version: "1.2.3" });
    expect(c.transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["whoami", "add", "open-stream", "session-list"]));
    const sum = await c.call("add", { a: 2, b: 3 });
    expect(sum.structuredContent).toMatchObject({ sum: 5 });
    const me = await c.call("whoami");
    expect(me.structuredContent).toEqual({ user: "env-user" });
    const bad = await c.call("add", { a: "x" });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/Invalid/);
    const health = await fetch(url.replace("/mcp", "/healthz"));
    expect(health.status).toBe(200);
    // No token configured: nobody is authenticated, so the session counts are not shown.
    expect(await health.json()).toEqual({ status: "ok" });
    await c.transport.terminateSession();
    await c.client.close();
  });

  it("keeps two concurrent sessions isolated: credential header and stream sessions", async () => {
    const [a, b] = await Promise.all([
      connect(url, { "x-fake-token": "alice-token-1111" }),
      connect(url, { "x-fake-token": "bob-token-2222" }),
    ]);
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    const [ra, rb] = await Promise.all([a.call("whoami"), b.call("whoami")]);
    expect(ra.structuredContent).toEqual({ user: "alice" });
    expect(rb.structuredContent).toEqual({ user: "bob" });
    await a.call("open-stream", { label: "alice-stream" });
    const listA = await a.call("session-list");
    const listB = await b.call("session-list");
    expect((listA.structuredContent as { sessions: unknown[] }).sessions).toHaveLength(1);
    expect((listB.structuredContent as { sessions: unknown[] }).sessions).toHaveLength(0);
    // The header value is a secret: an upstream echoing it back is redacted.
    const leak = await a.call("leak-token");
    expect(JSON.stringify(leak)).not.toContain("alice-token-1111");
    expect(textOf(leak)).toContain("[REDACTED]");
    await Promise.all([a.transport.terminateSession(), b.transport.terminateSession()]);
    await Promise.all([a.client.close(), b.client.close()]);
  });

  it("refuses a session id replayed with a different credential header", async () => {
    const a = await connect(url, { "x-fake-token": "alice-token-1111" });
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": a.transport.sessionId!,
        "mcp-protocol-version": "2025-06-18",
        "x-fake-token": "bob-token-2222",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    expect(res.status).toBe(403);
    await a.transport.terminateSession();
    await a.client.close();
  });

  it("DELETE ends the session and closes its upstream streams; the id is then unknown", async () => {
    const c = await connect(url);
    await c.call("open-stream", { label: "deleted-stream" });
    const sid = c.transport.sessionId!;
    await c.transport.terminateSession();
    await waitFor(() => closedStreams.includes("deleted-stream"), { what: "the deleted session's stream to close" });
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": sid,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(404);
    await c.client.close();
  });

  it("answers non-initialize requests without a session with 400, and bad JSON with a parse error", async () => {
    const noSession = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(noSession.status).toBe(400);
    const badJson = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{nope",
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: -32700 } });
  });

  it("works with the MCP Inspector CLI in HTTP mode", async () => {
    const bin = `${ROOT}node_modules/.bin/mcp-inspector`;
    const list = await run(bin, ["--cli", url, "--transport", "http", "--method", "tools/list"], {
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const listed = JSON.parse(list.stdout) as { tools: { name: string }[] };
    expect(listed.tools.map((t) => t.name)).toContain("whoami");
    const call = await run(
      bin,
      [
        "--cli",
        url,
        "--transport",
        "http",
        "--method",
        "tools/call",
        "--tool-name",
        "whoami",
        "--header",
        "x-fake-token: bob-token-2222",
      ],
      { timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
    );
    expect(JSON.parse(call.stdout)).toMatchObject({ structuredContent: { user: "bob" } });
    // Two Inspector processes at once, each with its own credential: isolated sessions.
    const whoami = (token: string) =>
      run(
        bin,
        [
          "--cli",
          url,
          "--transport",
          "http",
          "--method",
          "tools/call",
          "--tool-name",
          "whoami",
          "--header",
          `x-fake-token: ${token}`,
        ],
        { timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
      );
    const [a, b] = await Promise.all([whoami("alice-token-1111"), whoami("bob-token-2222")]);
    expect(JSON.parse(a.stdout)).toMatchObject({ structuredContent: { user: "alice" } });
    expect(JSON.parse(b.stdout)).toMatchObject({ structuredContent: { user: "bob" } });
    // The Inspector exits without DELETE: its sessions linger until idle expiry reclaims them.
    const endpoint = net.endpoints[0]!;
    expect(endpoint.sessionCount).toBe(4);
    expect(await endpoint.sweep(Date.now() + endpoint.limits.sessionIdleMs + 1)).toBe(4);
    expect(endpoint.sessionCount).toBe(0);
  }, 90_000);
});

describe("session limits", () => {
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: {},
      limits: { maxSessions: 2, maxSessionsPerClient: 2, sessionIdleMs: 400 },
    });
    url = net.mcpUrls["fake-mcp"]!;
  });
  afterAll(() => net.close());

  it("caps concurrent sessions (503) and expires idle ones, closing their streams", async () => {
    const a = await connect(url);
    const b = await connect(url);
    await a.call("open-stream", { label: "idle-stream" });
    await expect(connect(url)).rejects.toThrow(/503|Too many MCP sessions/);
    // No requests for longer than the idle limit: both expire and the stream is closed.
    await waitFor(() => net.endpoints[0]!.sessionCount === 0, { what: "the idle session to expire" });
    expect(closedStreams).toContain("idle-stream");
    const c = await connect(url);
    expect((await c.client.listTools()).tools.length).toBeGreaterThan(0);
    await c.transport.terminateSession();
    await Promise.all([a.client.close(), b.client.close(), c.client.close()]);
  });
});

describe("stateless mode", () => {
  let net: NetworkHandle;

  beforeAll(async () => {
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      stateless: true,
      env: { FAKE_TOKEN: "env-token-0000" },
    });
  });
  afterAll(() => net.close());

  it("serves without Mcp-Session-Id and offers no session tools", async () => {
    const c = await connect(net.mcpUrls["fake-mcp"]!, { "x-fake-token": "bob-token-2222" });
    expect(c.transport.sessionId).toBeUndefined();
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("whoami");
    expect(names).not.toContain("open-stream");
    expect(names).not.toContain("session-read");
    expect((await c.call("whoami")).structuredContent).toEqual({ user: "bob" });
    expect(net.endpoints[0]!.sessionCount).toBe(0);
    await c.client.close();
  });
});

describe("stateless mode: one upstream client for the configured credential", () => {
  let net: NetworkHandle;
  let created = 0;

  beforeAll(async () => {
    const counting = {
      ...anyFake,
      createClient: (env: Env) => {
        created++;
        return anyFake.createClient(env);
      },
    };
    net = await serveNetwork([counting], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      stateless: true,
      env: { FAKE_TOKEN: "env-token-0000" },
    });
  });
  afterAll(() => net.close());

  it("requests without a credential header share one client; a per-user credential gets its own", async () => {
    const c = await connect(net.mcpUrls["fake-mcp"]!);
    for (let i = 0; i < 5; i++) expect((await c.call("whoami")).structuredContent).toEqual({ user: "env-user" });
    expect(created).toBe(1);
    const bob = await connect(net.mcpUrls["fake-mcp"]!, { "x-fake-token": "bob-token-2222" });
    expect((await bob.call("whoami")).structuredContent).toEqual({ user: "bob" });
    expect((await bob.call("whoami")).structuredContent).toEqual({ user: "bob" });
    expect(created).toBe(3);
    expect((await c.call("whoami")).structuredContent).toEqual({ user: "env-user" });
    expect(created).toBe(3);
    await Promise.all([c.client.close(), bob.client.close()]);
  });
});
