import { afterEach, describe, expect, it } from "vitest";
import { HttpClient } from "../src/upstream/http.js";
import { startUpstream } from "./helpers.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

describe("HttpClient.bytes: binary-safe bodies for files and logs", () => {
  const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41, 0x42]);

  async function serve() {
    const u = await startUpstream((req, res) => {
      if (req.url === "/range") {
        res.writeHead(416, { "content-range": "bytes */6" });
        return res.end();
      }
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "x-seen-type": String(req.headers["content-type"]),
      });
      res.end(req.method === "POST" ? Buffer.from(req.body) : binary);
    });
    cleanup.push(u.close);
    const c = new HttpClient({ name: "Test", baseUrl: u.url, retries: 0 });
    cleanup.push(() => c.close());
    return { u, c };
  }

  it("returns the exact bytes, never parsed or re-encoded", async () => {
    const { c } = await serve();
    const r = await c.bytes({ method: "GET", path: "/f", maxBytes: 100 });
    expect(r.data.equals(binary)).toBe(true);
    expect(r.truncated).toBe(false);
  });

  it("truncates at maxBytes when asked, and fails past it otherwise", async () => {
    const { c } = await serve();
    const cut = await c.bytes({ method: "GET", path: "/f", maxBytes: 4, overflow: "truncate" });
    expect(cut.data.equals(binary.subarray(0, 4))).toBe(true);
    expect(cut.truncated).toBe(true);
    await expect(c.bytes({ method: "GET", path: "/f", maxBytes: 4 })).rejects.toThrow(/larger than the 4-byte limit/);
  });

  it("sends a raw body as application/octet-stream", async () => {
    const { c, u } = await serve();
    const r = await c.bytes({ method: "POST", path: "/f", rawBody: Buffer.from("raw text"), maxBytes: 100 });
    expect(r.data.toString()).toBe("raw text");
    expect(r.headers.get("x-seen-type")).toBe("application/octet-stream");
    expect(u.requests[0]?.body).toBe("raw text");
  });

  it("throwHttpErrors: false hands back an error status with its headers", async () => {
    const { c } = await serve();
    const r = await c.bytes({ method: "GET", path: "/range", maxBytes: 10, throwHttpErrors: false });
    expect(r.status).toBe(416);
    expect(r.headers.get("content-range")).toBe("bytes */6");
    await expect(c.bytes({ method: "GET", path: "/range", maxBytes: 10 })).rejects.toThrow(/HTTP 416/);
  });
});
