/**
 * The REST websocket passthrough scrubs what the upstream sends, binary frames as well as text, a
 * secret split across two frames included (issue 23, hole 3). A real websocket upstream on loopback
 * that echoes what the client sends, so the test decides exactly which frames come down.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK } from "../src/testing/index.js";
import { anyFake } from "./fixtures/fake-vendor.js";

const CONFIGURED = "env-token-0000";
const OWN = "bob-token-2222";

interface Down {
  frames: { data: Buffer; binary: boolean }[];
  closed?: number;
}

describe("websocket passthrough: frames from the upstream are scrubbed on the bytes", () => {
  let net: NetworkHandle;
  let rest: string;
  let upstream: WebSocketServer;

  beforeAll(async () => {
    // Echoes every frame with its kind; the text "close-now" is not echoed but closes (1000).
    upstream = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    upstream.on("connection", (ws) =>
      ws.on("message", (data, isBinary) => {
        if (!isBinary && data.toString() === "close-now") ws.close(1000, "done");
        else ws.send(data as Buffer, { binary: isBinary });
      }),
    );
    await new Promise((r) => upstream.once("listening", r));
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: true,
      env: { FAKE_TOKEN: CONFIGURED, FAKE_WS_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` },
    });
    rest = net.restUrl!;
  });
  afterAll(async () => {
    await net.close();
    upstream.close();
  });

  /** Runs on the server's configured credential, or with `own` on the user's own header. */
  async function open(label: string, own?: string): Promise<{ ws: WebSocket; down: Down }> {
    const ws = new WebSocket(`${rest.replace("http", "ws")}/v1/stream?label=${label}`, {
      headers: own ? { "x-fake-token": own } : {},
    });
    const down: Down = { frames: [] };
    ws.on("message", (d, binary) => down.frames.push({ data: Buffer.from(d as Buffer), binary }));
    ws.on("close", (code) => {
      down.closed = code;
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return { ws, down };
  }

  /** Waits (with a deadline) until the frames of one kind that came down add up to `length` bytes. */
  async function bytesOf(down: Down, binary: boolean, length: number): Promise<Buffer> {
    const joined = () => Buffer.concat(down.frames.filter((f) => f.binary === binary).map((f) => f.data));
    const end = Date.now() + 5_000;
    while (joined().length < length && down.closed === undefined && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return joined();
  }

  const b = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

  it("the server's key in one binary frame is scrubbed, the bytes around it (not UTF-8) pass intact", async () => {
    const { ws, down } = await open("bin-one");
    const b64 = Buffer.from(CONFIGURED).toString("base64");
    ws.send(b([0xff, 0x00, 0xc3], ` k=${CONFIGURED} b64=${b64} `, [0x80, 0xfe]), { binary: true });
    const want = b([0xff, 0x00, 0xc3], " k=[REDACTED] b64=[REDACTED] ", [0x80, 0xfe]);
    expect(await bytesOf(down, true, want.length)).toEqual(want);
    ws.close();
  });

  it("a user's own credential in a binary frame is scrubbed from that user's passthrough", async () => {
    const { ws, down } = await open("bin-own", OWN);
    ws.send(b([0xc3], ` own=${OWN}`), { binary: true });
    const want = b([0xc3], " own=[REDACTED]");
    expect(await bytesOf(down, true, want.length)).toEqual(want);
    ws.close();
  });

  it("a secret split across two binary frames is caught", async () => {
    const { ws, down } = await open("bin-split");
    ws.send(b([0xfe], "before env-tok"), { binary: true });
    ws.send(b("en-0000 after", [0xff]), { binary: true });
    const want = b([0xfe], "before [REDACTED] after", [0xff]);
    expect(await bytesOf(down, true, want.length)).toEqual(want);
    ws.close();
  });

  it("a secret split across two text frames is caught, and each frame stays valid UTF-8", async () => {
    const { ws, down } = await open("text-split", OWN);
    ws.send("héllo bob-tok");
    ws.send("en-2222 wörld");
    const want = b("héllo [REDACTED] wörld");
    expect(await bytesOf(down, false, want.length)).toEqual(want);
    for (const f of down.frames) expect(Buffer.from(f.data.toString("utf8"))).toEqual(f.data);
    ws.close();
  });

  it("a frame ending in a secret's start that turns out not to be one: its bytes come intact and in order", async () => {
    const { ws, down } = await open("not-a-secret");
    ws.send(b("one env-token-00"), { binary: true });
    ws.send(b([0x00, 0xff], "two"), { binary: true });
    ws.send(b(" three ", CONFIGURED), { binary: true });
    const want = b("one env-token-00", [0x00, 0xff], "two three [REDACTED]");
    expect(await bytesOf(down, true, want.length)).toEqual(want);
    ws.close();
  });

  it("the close gives out the held-back bytes before it (and the frame they came in is scrubbed)", async () => {
    const { ws, down } = await open("close-flush");
    ws.send(b(`k=${CONFIGURED} then env-tok`), { binary: true });
    ws.send("close-now");
    const end = Date.now() + 5_000;
    while (down.closed === undefined && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(down.closed).toBe(1000);
    expect(Buffer.concat(down.frames.map((f) => f.data))).toEqual(b("k=[REDACTED] then env-tok"));
    expect(down.frames.every((f) => f.binary)).toBe(true);
  });

  it("an empty frame (a stream's end marker) comes after what was held back, in its own kind", async () => {
    const { ws, down } = await open("barrier", OWN);
    ws.send(b(`x ${OWN} bob-`), { binary: true });
    ws.send("");
    const end = Date.now() + 5_000;
    while (!down.frames.some((f) => !f.binary) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(down.frames.map((f) => [f.data.toString(), f.binary])).toEqual([
      ["x [REDACTED] ", true],
      ["bob-", true],
      ["", false],
    ]);
    ws.close();
  });
});
