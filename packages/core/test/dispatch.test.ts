import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamProtocolError } from "../src/base/errors.js";
import { dispatchFetch } from "../src/upstream/dispatch.js";
import { HttpClient } from "../src/upstream/http.js";

/**
 * ky's fetch over undici's dispatcher must look like undici's fetch did, on the wire and to ky:
 * the same request headers, decoded bodies, fetch's failures.
 */
let server: Server;
let base: string;
const seen: IncomingMessage["headers"][] = [];
let handle: (req: IncomingMessage, res: ServerResponse) => void = () => {};
const agent = new Agent();

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => handle(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await agent.close();
});

const send = (path: string, init: RequestInit = {}) => dispatchFetch(agent, new Request(`${base}${path}`, init));

describe("dispatchFetch", () => {
  it("sends the headers undici's fetch sent, the request's own winning", async () => {
    handle = (_req, res) => res.end("ok");
    seen.length = 0;
    await (await undiciFetch(`${base}/a`, { headers: { authorization: "Token t" }, dispatcher: agent })).text();
    await (await send("/a", { headers: { authorization: "Token t" } })).text();
    const strip = ({ host: _h, connection: _c, ...rest }: IncomingMessage["headers"]) => rest;
    expect(strip(seen[1]!)).toEqual(strip(seen[0]!));
    seen.length = 0;
    await (await send("/b", { headers: { accept: "application/json", "user-agent": "qovery-mcp" } })).text();
    expect(seen[0]).toMatchObject({
      accept: "application/json",
      "user-agent": "qovery-mcp",
      "accept-encoding": "gzip, deflate",
    });
  });

  it("sends a body with its length and answers status, headers and body", async () => {
    handle = (req, res) => {
      res.writeHead(201, { "content-type": "application/json", "set-cookie": ["a=1", "b=2"], "x-method": req.method! });
      res.end('{"ok":true}');
    };
    seen.length = 0;
    const res = await send("/c", { method: "POST", body: '{"n":1}', headers: { "content-type": "application/json" } });
    expect(seen[0]?.["content-length"]).toBe("7");
    expect(seen[0]?.["transfer-encoding"]).toBeUndefined();
    expect(res.status).toBe(201);
    expect(res.headers.get("x-method")).toBe("POST");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("decodes gzip, deflate and br bodies as fetch does, and leaves unknown codings alone", async () => {
    const text = "hello ".repeat(1000);
    for (const [coding, encode] of [
      ["gzip", gzipSync],
      ["deflate", deflateSync],
      ["br", brotliCompressSync],
    ] as const) {
      handle = (_req, res) => {
        res.writeHead(200, { "content-encoding": coding });
        res.end(encode(Buffer.from(text)));
      };
      expect(await (await send("/z")).text()).toBe(text);
    }
    handle = (_req, res) => {
      res.writeHead(200, { "content-encoding": "x-unknown" });
      res.end("raw");
    };
    expect(await (await send("/z")).text()).toBe("raw");
  });

  it("answers 204, 304 and HEAD with no body, and does not follow redirects", async () => {
    handle = (req, res) => {
      if (req.url === "/moved") {
        res.writeHead(302, { location: "/elsewhere" });
        res.end("go");
        return;
      }
      res.writeHead(req.url === "/304" ? 304 : req.method === "HEAD" ? 200 : 204, { "content-length": "0" });
      res.end();
    };
    expect((await send("/204")).body).toBeNull();
    expect((await send("/304")).status).toBe(304);
    expect((await send("/h", { method: "HEAD" })).body).toBeNull();
    const moved = await send("/moved");
    expect(moved.status).toBe(302);
    expect(moved.headers.get("location")).toBe("/elsewhere");
  });

  it("fails as fetch fails: 'fetch failed' with the cause, 'terminated' for a cut body, the reason when aborted", async () => {
    const refused = await dispatchFetch(agent, new Request("http://127.0.0.1:9/x")).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).message).toBe("fetch failed");
    expect(((refused as TypeError).cause as { code?: string }).code).toBe("ECONNREFUSED");

    handle = (_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      // cut the connection once the partial body is on the wire
      res.write("partial", () => res.destroy());
    };
    const cut = await (await send("/cut")).text().catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(TypeError);
    expect((cut as TypeError).message).toBe("terminated");

    handle = () => {};
    const ac = new AbortController();
    const pending = send("/hang", { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(new Error("gave up")), 20);
    expect(((await pending) as Error).message).toBe("gave up");
  });

  it("an abort ends a request still waiting for its connection (a TLS handshake that never completes)", async () => {
    const silent = createNetServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const slow = new Agent({ connect: { timeout: 30_000 } });
    try {
      const ac = new AbortController();
      const started = Date.now();
      const pending = dispatchFetch(
        slow,
        new Request(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/x`, { signal: ac.signal }),
      ).catch((e: unknown) => e);
      setTimeout(() => ac.abort(new Error("stop waiting")), 50);
      expect(((await pending) as Error).message).toBe("stop waiting");
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await slow.destroy();
      silent.close();
    }
  });

  it("through HttpClient: a cut body is an upstream protocol error naming the request", async () => {
    handle = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"a":', () => res.destroy());
    };
    const c = new HttpClient({ name: "Test", baseUrl: base, retries: 0 });
    const error = await c.request({ method: "GET", path: "/cut" }).catch((e: unknown) => e);
    await c.close();
    expect(error).toBeInstanceOf(UpstreamProtocolError);
    expect((error as Error).message).toMatch(/GET \/cut: terminated/);
  });
});
