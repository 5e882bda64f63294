import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { z } from "zod";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { daemonGate, INCUS_TEST_SOCKET, incusRequest, LOOPBACK_TEST_NETWORK } from "../src/testing/index.js";
import { defineTool, route } from "../src/tools/call.js";
import type { VendorDefinition } from "../src/tools/vendor.js";
import { type ResolvedUpstream, resolveUpstream } from "../src/upstream/upstream.js";
import { connectWebSocket } from "../src/upstream/websocket.js";

/**
 * The REST websocket passthrough against a REAL Incus daemon: a minimal vendor declares the seed's
 * `/v1/1-0/operations/{id}/websocket` route with a hook that opens the operation websocket on the
 * unix socket; plain `ws` clients drive a real exec in a container of their own through it.
 */
const SOCKET = INCUS_TEST_SOCKET;
const gate = daemonGate("Incus daemon", existsSync(SOCKET));
const NAME = `core-pt-${process.pid}-${Date.now().toString(36)}`;

interface IncusClient {
  upstream: ResolvedUpstream;
}

function incus<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  return incusRequest<T>(method, path, body, SOCKET);
}

async function waitOp(op: { operation?: string }) {
  if (op.operation) await incus("GET", `${op.operation}/wait?timeout=60`);
}

const schema = z.object({ id: z.string().uuid(), secret: z.string().min(1) });
const operationWebsocket = defineTool<IncusClient, typeof schema>({
  name: "get-websocket-stream",
  title: "Operation websocket",
  description: "Connects to an operation's websocket (REST passthrough only).",
  inputSchema: schema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler() {
    return { text: "use a websocket client on this route", isError: true };
  },
});

const vendor: VendorDefinition<IncusClient> = {
  name: "incus-pt-mcp",
  version: "0.0.0",
  title: "Incus passthrough test",
  tools: [operationWebsocket],
  routes: [
    route("GET /v1/1-0/operations/{id}/websocket", operationWebsocket, {
      openUpstreamSocket: (args, ctx) =>
        connectWebSocket(ctx.client.upstream, `/1.0/operations/${encodeURIComponent(args.id)}/websocket`, {
          query: { secret: args.secret },
          signal: ctx.signal,
        }),
    }),
  ],
  createClient: () => ({ upstream: resolveUpstream({ name: "Incus", baseUrl: "http://incus", socketPath: SOCKET }) }),
  envHelp: "",
};

describe.skipIf(gate.skip)("websocket passthrough to a real Incus exec", () => {
  let net: NetworkHandle;

  beforeAll(async () => {
    await waitOp(await incus("POST", "/1.0/instances", { name: NAME, source: { type: "image", alias: "bb" } }));
    await waitOp(await incus("PUT", `/1.0/instances/${NAME}/state`, { action: "start", timeout: 30 }));
    net = await serveNetwork([vendor as unknown as VendorDefinition<unknown>], {
      ...LOOPBACK_TEST_NETWORK,
      http: false,
      rest: true,
    });
  }, 90_000);
  afterAll(async () => {
    await net?.close();
    await waitOp(await incus("PUT", `/1.0/instances/${NAME}/state`, { action: "stop", force: true }));
    await waitOp(await incus("DELETE", `/1.0/instances/${NAME}`));
  }, 90_000);

  it("carries stdin in and stdout out as binary frames, with Incus' end-of-stream barrier", async () => {
    const op = await incus<{ operation: string; metadata: { id: string; metadata: { fds: Record<string, string> } } }>(
      "POST",
      `/1.0/instances/${NAME}/exec`,
      {
        command: ["sh", "-c", "echo from-incus-$((6 * 7)); cat; echo done >&2"],
        interactive: false,
        "wait-for-websocket": true,
      },
    );
    const { id, metadata } = op.metadata;
    const base = `${net.restUrl!.replace("http", "ws")}/v1/1-0/operations/${id}/websocket`;
    const collect = (ws: WebSocket) =>
      new Promise<{ data: Buffer; binaryFrames: number; closeCode: number }>((resolve) => {
        const chunks: Buffer[] = [];
        let binaryFrames = 0;
        ws.on("message", (d, isBinary) => {
          if (isBinary) binaryFrames++;
          chunks.push(d as Buffer);
        });
        ws.once("close", (closeCode) => resolve({ data: Buffer.concat(chunks), binaryFrames, closeCode }));
      });
    // Collectors are attached as each socket is created: the command may print before the last of
    // the four sockets is open, and a frame with no listener yet would be lost to the test.
    const collected = new Map<WebSocket, ReturnType<typeof collect>>();
    const open = (fd: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${base}?secret=${encodeURIComponent(metadata.fds[fd]!)}`);
        collected.set(ws, collect(ws));
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
    // The command starts once every fd's socket is connected: all four go through the passthrough.
    const [stdin, stdout, stderr, control] = await Promise.all(["0", "1", "2", "control"].map(open));
    const out = collected.get(stdout!)!;
    const err = collected.get(stderr!)!;
    stdin!.send(Buffer.from("piped through the bridge\n"), { binary: true });
    stdin!.send(""); // empty text frame: end of stdin
    const o = await out;
    const e = await err;
    expect(o.data.toString()).toBe("from-incus-42\npiped through the bridge\n");
    expect(o.binaryFrames).toBeGreaterThan(0);
    // Incus drops a finished non-interactive exec's sockets without a close frame; mirrored as a drop.
    expect(o.closeCode).toBe(1006);
    expect(e.data.toString()).toBe("done\n");
    const done = await incus<{ metadata: { metadata: { return?: number } } }>(
      "GET",
      `/1.0/operations/${id}/wait?timeout=10`,
    );
    expect(done.metadata.metadata.return).toBe(0);
    control!.close();
    stdin!.close();
  }, 60_000);
});
