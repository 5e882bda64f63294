import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CancelledError,
  UpstreamHttpError,
  UpstreamProtocolError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../src/base/errors.js";
import { redactor } from "../src/base/redact.js";
import { waitFor } from "../src/testing/index.js";
import { HttpClient } from "../src/upstream/http.js";
import { json, startUpstream } from "./helpers.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

async function upstream(handler: Parameters<typeof startUpstream>[0], listenOn?: string) {
  const u = await startUpstream(handler, listenOn);
  cleanup.push(u.close);
  return u;
}

function client(baseUrl: string, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  const c = new HttpClient({ name: "Test", baseUrl, ...extra });
  cleanup.push(() => c.close());
  return c;
}

describe("HttpClient", () => {
  it("sends bound auth, query and JSON body to the base URL's path prefix", async () => {
    const u = await upstream((_req, res) => json(res, 201, { ok: true }));
    const c = client(`${u.url}/api`, {
      auth: { http: [{ in: "header", name: "Authorization", scheme: "Token", value: "tok-123456" }] },
    });
    const res = await c.request({
      method: "POST",
      path: "/things/a%2Fb",
      query: { x: "1", y: undefined },
      body: { n: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.data).toEqual({ ok: true });
    expect(u.requests[0]).toMatchObject({ method: "POST", url: "/api/things/a%2Fb?x=1", body: '{"n":1}' });
    expect(u.requests[0]?.headers.authorization).toBe("Token tok-123456");
    expect(u.requests[0]?.headers["content-length"]).toBe("7");
    expect(u.requests[0]?.headers["transfer-encoding"]).toBeUndefined();
  });

  it("maps an error status to UpstreamHttpError with method, path, status and the upstream message", async () => {
    const u = await upstream((_req, res) => json(res, 404, { message: "container not found" }));
    const error = await client(u.url)
      .request({ method: "GET", path: "/containers/abc" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(404);
    expect((error as Error).message).toMatch(
      /^GET \/containers\/abc failed: HTTP 404 Not Found — container not found$/,
    );
  });

  it("never puts the credential into an error, even when the upstream echoes it back", async () => {
    const secret = "sekret-token-9f8e7d6c";
    redactor.add(secret);
    const u = await upstream((req, res) => json(res, 401, { message: `bad token ${req.headers["x-api-key"]}` }));
    const c = client(u.url, { auth: { http: [{ in: "header", name: "X-API-Key", value: secret }] } });
    const error = (await c.request({ method: "GET", path: "/x" }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect(error.message).toContain("HTTP 401");
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain("[REDACTED]");
  });

  it("retries idempotent reads on 503 and succeeds", async () => {
    const u = await upstream((_req, res, n) => (n < 3 ? json(res, 503, {}) : json(res, 200, { n })));
    const res = await client(u.url, { retries: 2 }).request({ method: "GET", path: "/r" });
    expect(res.data).toEqual({ n: 3 });
    expect(u.requests).toHaveLength(3);
  });

  it("never retries writes", async () => {
    const u = await upstream((_req, res) => json(res, 503, { message: "busy" }));
    const error = await client(u.url, { retries: 2 })
      .request({ method: "POST", path: "/w", body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect(u.requests).toHaveLength(1);
  });

  it("times out a silent upstream with UpstreamTimeoutError", async () => {
    const u = await upstream(() => {
      /* never answers */
    });
    const started = Date.now();
    const error = await client(u.url, { retries: 0 })
      .request({ method: "GET", path: "/slow", timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as Error).message).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("aborts the upstream request when the caller's signal aborts", async () => {
    let reached = false;
    let closed = false;
    const u = await upstream((_req, res) => {
      reached = true;
      res.on("close", () => {
        closed = true;
      });
    });
    const ac = new AbortController();
    const pending = client(u.url)
      .request({ method: "GET", path: "/wait", signal: ac.signal, timeoutMs: 0 })
      .catch((e: unknown) => e);
    // abort only once the request is in flight upstream, so the abort has a connection to close
    await waitFor(() => reached, { what: "the request to reach the upstream" });
    ac.abort();
    expect(await pending).toBeInstanceOf(CancelledError);
    await waitFor(() => closed, { what: "the upstream to see its connection closed" });
  });

  it("reports connection refused clearly", async () => {
    const u = await startUpstream(() => {});
    await u.close();
    const error = await client(u.url, { retries: 0 })
      .request({ method: "GET", path: "/x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toMatch(
      /Cannot reach Test at http:\/\/127\.0\.0\.1:\d+ \(GET \/x\): ECONNREFUSED/,
    );
  });

  it("talks to a unix socket, and names a missing socket", async () => {
    const sock = join(tmpdir(), `core-http-${process.pid}.sock`);
    rmSync(sock, { force: true });
    const u = await upstream((req, res) => json(res, 200, { path: req.url }), sock);
    expect(u.url).toBe("http://unix");
    const res = await client("http://unix", { socketPath: sock }).request({ method: "GET", path: "/1.0" });
    expect(res.data).toEqual({ path: "/1.0" });
    const missing = await client("http://unix", { socketPath: `${sock}.none`, retries: 0 })
      .request({ method: "GET", path: "/1.0" })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UpstreamUnavailableError);
    expect((missing as Error).message).toMatch(/unix:.*ENOENT/);
  });

  it("stream() hands back an unread binary body with auth applied, and maps error statuses", async () => {
    const bytes = Buffer.from([1, 0, 0, 0, 0, 0, 0, 2, 0xff, 0x0a]);
    const u = await upstream((req, res) => {
      if (req.url.startsWith("/missing")) return json(res, 404, { message: "No such container: x" });
      res.writeHead(200, { "content-type": "application/vnd.docker.raw-stream" });
      res.end(bytes);
    });
    const c = client(u.url, { auth: { http: [{ in: "header", name: "X-API-Key", value: "key-abcdef" }] } });
    const res = await c.stream({ method: "GET", path: "/logs", query: { tail: "5" } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await new Response(res.body).arrayBuffer()).equals(bytes)).toBe(true);
    expect(u.requests[0]).toMatchObject({ url: "/logs?tail=5" });
    expect(u.requests[0]?.headers["x-api-key"]).toBe("key-abcdef");
    const error = await c.stream({ method: "GET", path: "/missing" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(404);
    expect((error as Error).message).toMatch(/No such container: x/);
  });

  it("joins a message with the details that say why (Portainer's error bodies)", async () => {
    const u = await upstream((req, res) =>
      req.url === "/a"
        ? json(res, 500, { message: "Unable to create Kubernetes client", details: "Unsupported environment type" })
        : json(res, 401, { message: "Invalid JWT token", details: "Unauthorized" }),
    );
    const a = await client(u.url)
      .request({ method: "GET", path: "/a" })
      .catch((e: unknown) => e);
    expect((a as Error).message).toMatch(/— Unable to create Kubernetes client: Unsupported environment type$/);
    const b = await client(u.url)
      .request({ method: "GET", path: "/b" })
      .catch((e: unknown) => e);
    expect((b as Error).message).toMatch(/— Invalid JWT token$/);
  });

  it("reports malformed JSON as a protocol error", async () => {
    const u = await upstream((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{not json");
    });
    const error = await client(u.url)
      .request({ method: "GET", path: "/x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamProtocolError);
  });
});
