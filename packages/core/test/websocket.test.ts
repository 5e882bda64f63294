import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { UpstreamHttpError } from "../src/base/errors.js";
import { waitFor } from "../src/testing/index.js";
import { resolveUpstream } from "../src/upstream/upstream.js";
import {
  closeWebSocket,
  collectWebSocket,
  connectWebSocket,
  sendChunked,
  type WebSocket,
} from "../src/upstream/websocket.js";

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise((r) => s.close(r));
  }
});

async function wsServer(onConnection: (ws: WebSocket, url: string, headers: Record<string, unknown>) => void) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  servers.push(wss);
  wss.on("connection", (ws, req) => onConnection(ws, req.url ?? "", req.headers));
  await new Promise((r) => wss.once("listening", r));
  const port = (wss.address() as AddressInfo).port;
  return resolveUpstream({
    name: "WS",
    baseUrl: `http://127.0.0.1:${port}/api`,
    auth: { ws: [{ in: "query", name: "token", value: "jwt-abcdef" }] },
  });
}

describe("websocket streams", () => {
  it("connects with bound query auth and collects binary frames until an empty text frame", async () => {
    let seenUrl = "";
    const up = await wsServer((ws, url) => {
      seenUrl = url;
      ws.send(Buffer.from("hello "));
      ws.send(Buffer.from("world"));
      ws.send("", { binary: false });
      ws.send(Buffer.from("after barrier"));
    });
    const ws = await connectWebSocket(up, "/websocket/exec", { query: { id: "x y" } });
    const r = await collectWebSocket(ws, { maxBytes: 1024, totalTimeoutMs: 2_000, endOnEmptyText: true });
    expect(seenUrl).toBe("/api/websocket/exec?id=x+y&token=jwt-abcdef");
    expect(r.endReason).toBe("end-of-stream");
    expect(r.output.toBuffer().toString()).toBe("hello world");
    expect(r.output.truncated).toBe(false);
  });

  it("autoPong: false never writes a pong (Incus drops an output socket right after its output); the default does", async () => {
    const pongs: Record<string, number> = { "/api/mute": 0, "/api/default": 0 };
    const closed: Promise<void>[] = [];
    const up = await wsServer((ws, url) => {
      const path = url.split("?")[0] as string;
      ws.on("pong", () => {
        pongs[path] = (pongs[path] ?? 0) + 1;
      });
      closed.push(new Promise((r) => ws.once("close", () => r())));
      // Incus' order: a ping on connect, the output, the barrier (then it drops the socket).
      ws.ping("keepalive");
      ws.send(Buffer.from("output"));
      ws.send("", { binary: false });
    });
    for (const [path, autoPong] of [
      ["/mute", false],
      ["/default", true],
    ] as const) {
      const ws = await connectWebSocket(up, path, { autoPong });
      const r = await collectWebSocket(ws, {
        maxBytes: 100,
        totalTimeoutMs: 5_000,
        endOnEmptyText: true,
        keepOpen: true,
      });
      expect(r.output.toBuffer().toString()).toBe("output");
      await closeWebSocket(ws);
    }
    // The server saw both closes, so every frame sent before them (a pong too) has arrived.
    await Promise.all(closed);
    expect(pongs).toEqual({ "/api/mute": 0, "/api/default": 1 });
  });

  it("caps output, reports truncated, and stops reading", async () => {
    const up = await wsServer((ws) => {
      for (let i = 0; i < 100; i++) ws.send(Buffer.alloc(1024, 97));
    });
    const ws = await connectWebSocket(up, "/s");
    const r = await collectWebSocket(ws, { maxBytes: 10_000, totalTimeoutMs: 2_000 });
    expect(r.endReason).toBe("max-bytes");
    expect(r.output.storedBytes).toBe(10_000);
    expect(r.output.truncated).toBe(true);
  });

  it("keeps counting in drain mode without storing past the cap", async () => {
    const up = await wsServer((ws) => {
      for (let i = 0; i < 50; i++) ws.send(Buffer.alloc(1000, 98));
      ws.close(1000);
    });
    const ws = await connectWebSocket(up, "/s");
    const r = await collectWebSocket(ws, { maxBytes: 4_000, totalTimeoutMs: 2_000, onMaxBytes: "drain" });
    expect(r.endReason).toBe("closed");
    expect(r.closeCode).toBe(1000);
    expect(r.output.totalBytes).toBe(50_000);
    expect(r.output.storedBytes).toBe(4_000);
  });

  it("ends on idle timeout and on total timeout", async () => {
    const up = await wsServer((ws) => ws.send(Buffer.from("x")));
    const idle = await collectWebSocket(await connectWebSocket(up, "/s"), {
      maxBytes: 10,
      idleTimeoutMs: 150,
      totalTimeoutMs: 5_000,
    });
    expect(idle.endReason).toBe("idle-timeout");
    const total = await collectWebSocket(await connectWebSocket(up, "/s"), { maxBytes: 10, totalTimeoutMs: 150 });
    expect(total.endReason).toBe("total-timeout");
  });

  it("treats a connection dropped without a close frame as the end of the stream", async () => {
    const up = await wsServer((ws) => {
      // drop the connection once the frame is handed to the socket (no close frame follows)
      ws.send(Buffer.from("partial"), () => ws.terminate());
    });
    const r = await collectWebSocket(await connectWebSocket(up, "/s"), { maxBytes: 100, totalTimeoutMs: 2_000 });
    expect(r.endReason).toBe("closed");
    expect(r.closeCode).toBe(1006);
    expect(r.output.toBuffer().toString()).toBe("partial");
  });

  it("keeps text frames apart from binary ones as asked", async () => {
    const up = await wsServer((ws) => {
      ws.send("text-frame");
      ws.send(Buffer.from("bin"));
      ws.close();
    });
    const ignored = await collectWebSocket(await connectWebSocket(up, "/s"), {
      maxBytes: 100,
      totalTimeoutMs: 2_000,
      textFrames: "ignore",
    });
    expect(ignored.output.toBuffer().toString()).toBe("bin");
    const both = await collectWebSocket(await connectWebSocket(up, "/s"), { maxBytes: 100, totalTimeoutMs: 2_000 });
    expect(both.output.toBuffer().toString()).toBe("text-framebin");
  });

  it("writes stdin in frames no larger than the chunk size", async () => {
    const sizes: number[] = [];
    let total = Buffer.alloc(0);
    const up = await wsServer((ws) =>
      ws.on("message", (d: Buffer) => {
        sizes.push(d.length);
        total = Buffer.concat([total, d]);
      }),
    );
    const ws = await connectWebSocket(up, "/s");
    const data = Buffer.alloc(10_000);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    await sendChunked(ws, data, { chunkSize: 2048, binary: true });
    await waitFor(() => total.length >= data.length, { what: "the upstream to receive all of stdin" });
    ws.close();
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2048);
    expect(total.equals(data)).toBe(true);
  });

  it("turns a refused upgrade into an HTTP error with the upstream's message", async () => {
    const wss = new WebSocketServer({
      port: 0,
      host: "127.0.0.1",
      verifyClient: (_info, cb) => cb(false, 403, "Forbidden"),
    });
    servers.push(wss);
    await new Promise((r) => wss.once("listening", r));
    const up = resolveUpstream({ name: "WS", baseUrl: `http://127.0.0.1:${(wss.address() as AddressInfo).port}` });
    const error = await connectWebSocket(up, "/nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(403);
  });
});
