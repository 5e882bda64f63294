import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { ConfigError } from "../src/base/errors.js";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { compileRoutes } from "../src/serving/rest/routes.js";
import { LOOPBACK_TEST_NETWORK, waitFor } from "../src/testing/index.js";
import { route } from "../src/tools/call.js";
import { anyFake, closedStreams, fakeTools } from "./fixtures/fake-vendor.js";

async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, type: res.headers.get("content-type"), headers: res.headers, body };
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d;
      });
      res.on("end", () =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode })),
      );
    });
  });
}

describe("REST surface (fake vendor)", () => {
  let net: NetworkHandle;
  let rest: string;
  let upstream: WebSocketServer;
  const upstreamAuth: string[] = [];

  beforeAll(async () => {
    // A loopback websocket "upstream": echoes frames with their type, closes with a code on request.
    upstream = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    upstream.on("connection", (ws, req) => {
      upstreamAuth.push(req.headers.authorization ?? "");
      ws.send(`hello ${new URL(req.url ?? "/", "http://x").searchParams.get("label")}`);
      ws.on("message", (data, isBinary) => {
        const text = data.toString();
        if (!isBinary && text.startsWith("close:")) ws.close(Number(text.slice(6)), "bye from upstream");
        else if (!isBinary && text.startsWith("flood:")) {
          const chunk = Buffer.alloc(64 * 1024, 7);
          for (let i = 0; i < Number(text.slice(6)); i++) ws.send(chunk, { binary: true });
          // Not ending in a secret's first character, which would wait for the next frame.
          ws.send("flood-done!");
        } else ws.send(data, { binary: isBinary });
      });
    });
    await new Promise((r) => upstream.once("listening", r));
    const wsUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: false,
      rest: true,
      env: { FAKE_TOKEN: "env-token-0000", FAKE_WS_URL: wsUrl },
    });
    rest = net.restUrl!;
  });
  afterAll(async () => {
    await net.close();
    upstream.close();
  });

  it("maps path and query strings to typed arguments and returns the structured result", async () => {
    const r = await call(`${rest}/v1/add/40?b=2&scale=1.5&tags=x,y&verbose`);
    expect(r.status).toBe(200);
    expect(r.type).toBe("application/json");
    expect(r.body).toEqual({ sum: 63, tags: ["x", "y"], verbose: true });
    const repeated = await call(`${rest}/v1/add/1?tags=a&tags=b`);
    expect(repeated.body).toMatchObject({ tags: ["a", "b"] });
  });

  it("merges a JSON body into the arguments", async () => {
    const r = await call(`${rest}/v1/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: 5, b: 6 }),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sum: 11 });
  });

  it("validates with the tool's zod schema: 400 problem naming the field", async () => {
    const r = await call(`${rest}/v1/add/notanumber`);
    expect(r.status).toBe(400);
    expect(r.type).toBe("application/problem+json");
    expect(r.body).toMatchObject({ status: 400, title: "Invalid argument", field: "a" });
    expect(String(r.body.detail)).toContain('"a"');
    const body = await call(`${rest}/v1/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ b: 1 }),
    });
    expect(body.status).toBe(400);
    expect(body.body.field).toBe("a");
    const notJson = await call(`${rest}/v1/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{oops",
    });
    expect(notJson.status).toBe(400);
    const conflict = await call(`${rest}/v1/add/1?a=2`);
    expect(conflict.status).toBe(400);
    expect(conflict.body.field).toBe("a");
  });

  it("maps tool errors to HTTP statuses with problem+json", async () => {
    const notFound = await call(`${rest}/v1/fail/404`, { method: "DELETE" });
    expect(notFound.status).toBe(404);
    expect(notFound.type).toBe("application/problem+json");
    expect(notFound.body).toMatchObject({ status: 404, code: "UPSTREAM_HTTP", tool: "fail" });
    expect(String(notFound.body.detail)).toContain("upstream said no");
    expect((await call(`${rest}/v1/fail/503`, { method: "DELETE" })).status).toBe(503);
    const soft = await call(`${rest}/v1/fail/500?soft=true`, { method: "DELETE" });
    expect(soft.status).toBe(422);
    expect(soft.body.detail).toBe("the thing did not work");
  });

  it("answers unknown paths 404 and wrong methods 405 with Allow", async () => {
    expect((await call(`${rest}/v1/nope`)).status).toBe(404);
    const wrong = await call(`${rest}/v1/add`, { method: "PUT" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
  });

  it("uses the credential header per request and never returns it", async () => {
    expect((await call(`${rest}/v1/whoami`)).body).toEqual({ user: "env-user" });
    const alice = await call(`${rest}/v1/whoami`, { headers: { "x-fake-token": "alice-token-1111" } });
    expect(alice.body).toEqual({ user: "alice" });
    const unknown = await call(`${rest}/v1/whoami`, { headers: { "x-fake-token": "mallory-token-9" } });
    expect(unknown.status).toBe(401);
    const leak = await call(`${rest}/v1/leak`, { headers: { "x-fake-token": "alice-token-1111" } });
    expect(JSON.stringify(leak.body)).not.toContain("alice-token-1111");
    expect(JSON.stringify(leak.body)).toContain("[REDACTED]");
  });

  it("runs the tool for a plain POST to a websocket route, closing what it opened", async () => {
    const r = await call(`${rest}/v1/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ label: "plain-call" }),
    });
    expect(r.status).toBe(200);
    expect(r.body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(closedStreams).toContain("plain-call");
  });

  it("passes a websocket through: bytes both ways, frame types kept, credential injected server-side", async () => {
    const ws = new WebSocket(`${rest.replace("http", "ws")}/v1/stream?label=pt`, {
      headers: { "x-fake-token": "bob-token-2222" },
    });
    const got: { data: string; binary: boolean }[] = [];
    ws.on("message", (d, isBinary) => got.push({ data: d.toString(), binary: isBinary }));
    await opened(ws);
    // Not ending in a secret's first character ("env-token-0000"), which would wait for the next frame.
    ws.send("text-frame!");
    ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    await waitFor(() => got.length >= 3, { what: "the greeting and both echoed frames" });
    expect(got[0]).toEqual({ data: "hello pt", binary: false });
    expect(got[1]).toEqual({ data: "text-frame!", binary: false });
    expect(got[2]?.binary).toBe(true);
    expect(Buffer.from(got[2]!.data, "utf8").length).toBeGreaterThan(0);
    expect(upstreamAuth.at(-1)).toBe("Bearer bob-token-2222");
    // Upstream close code and reason reach the client.
    const closed = new Promise<[number, string]>((r) => ws.once("close", (c, why) => r([c, why.toString()])));
    ws.send("close:4005");
    expect(await closed).toEqual([4005, "bye from upstream"]);
    await waitFor(() => net.rest!.bridges.size === 0, { what: "the bridge to be dropped after the close" });
  });

  it("propagates the client's close code upstream and pauses on backpressure", async () => {
    const ws = new WebSocket(`${rest.replace("http", "ws")}/v1/stream?label=bp`);
    await opened(ws);
    // Stop reading: the bridge must pause the upstream instead of buffering everything.
    let bytes = 0;
    const done = new Promise<void>((resolve) => {
      ws.on("message", (d, isBinary) => {
        if (isBinary) bytes += (d as Buffer).length;
        else if (d.toString() === "flood-done!") resolve();
      });
    });
    (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    ws.send("flood:256"); // 16 MiB
    const bridge = [...net.rest!.bridges].at(-1);
    await waitFor(() => (bridge?.stats.pauses ?? 0) > 0, { what: "the bridge to pause the flooding upstream" });
    (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await done;
    expect(bytes).toBe(256 * 64 * 1024);
    const upstreamClosed = new Promise<number>((resolve) => {
      for (const c of upstream.clients) c.once("close", (code) => resolve(code));
    });
    ws.close(4100, "client done");
    expect(await upstreamClosed).toBe(4100);
  });

  it("refuses bad websocket upgrades with an HTTP status before upgrading", async () => {
    const missing = new WebSocket(`${rest.replace("http", "ws")}/v1/stream`);
    await expect(opened(missing)).rejects.toMatchObject({ status: 400 });
    const notWs = new WebSocket(`${rest.replace("http", "ws")}/v1/whoami`);
    await expect(opened(notWs)).rejects.toMatchObject({ status: 404 });
    const evil = new WebSocket(`${rest.replace("http", "ws")}/v1/stream?label=x`, { origin: "https://evil.example" });
    await expect(opened(evil)).rejects.toMatchObject({ status: 403 });
  });

  it("refuses an upgrade from a page on another local port (loopback Origin, no Sec-Fetch-Site)", async () => {
    const wsUrl = `${rest.replace("http", "ws")}/v1/stream?label=origin`;
    // A dev server's page on :3000 (or any other local program's) is another site, not this server.
    for (const origin of ["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:6274", "http://localhost"]) {
      const other = new WebSocket(wsUrl, { origin });
      await expect(opened(other), origin).rejects.toMatchObject({ status: 403 });
    }
    // This server's own origin (its REST port) is still let in.
    const own = new WebSocket(wsUrl, { origin: new URL(rest).origin });
    await opened(own);
    own.terminate();
  });
});

describe("route table", () => {
  it("refuses two tools declaring the same route", () => {
    const twice = { ...anyFake, routes: [...(anyFake.routes ?? []), route("GET /v1/whoami", fakeTools[1]!)] };
    expect(() => compileRoutes([{ vendor: twice, tools: fakeTools }])).toThrow(ConfigError);
    expect(() => compileRoutes([{ vendor: twice, tools: fakeTools }])).toThrow(/declared twice/);
  });
});
