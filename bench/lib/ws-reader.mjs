// One stream read (its own process, so its peak RSS is its own): `ws` = a plain ws client,
// `core` = core's connectWebSocket + collectWebSocket (1 MiB kept, the rest drained and counted).
import { collectWebSocket, connectWebSocket, resolveUpstream } from "@infra-mcp/core";
import WebSocket from "ws";

const [mode, port, bytes] = process.argv.slice(2);
const path = `/stream?bytes=${bytes}`;
const t0 = performance.now();
let received = 0;
if (mode === "ws") {
  await new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, {
      perMessageDeflate: false,
      maxPayload: 64 * 1024 * 1024,
    });
    ws.on("message", (data) => {
      received += data.length;
    });
    ws.on("close", resolve);
    ws.on("error", reject);
  });
} else if (mode === "core") {
  const upstream = resolveUpstream({ name: "bench upstream", baseUrl: `http://127.0.0.1:${port}` });
  const ws = await connectWebSocket(upstream, path);
  const r = await collectWebSocket(ws, { maxBytes: 1024 * 1024, onMaxBytes: "drain", totalTimeoutMs: 300_000 });
  received = r.output.totalBytes;
  if (r.endReason !== "closed") throw new Error(`collect ended with ${r.endReason}`);
} else throw new Error(`unknown mode ${mode}`);
const ms = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({ bytes: received, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
