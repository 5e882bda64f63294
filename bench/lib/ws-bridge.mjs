// A websocket relay in its own process: `core` = core's REST passthrough engine (connectWebSocket
// to the upstream, bridgeWebSockets to join the two); `plain` = the same hop hand-written with ws
// (forward every message, no backpressure), the anchor for what one extra hop costs.
import { connectWebSocket, resolveUpstream } from "@infra-mcp/core";
import { bridgeWebSockets } from "@infra-mcp/core/rest";
import WebSocket, { WebSocketServer } from "ws";

const [kind, upstreamPort] = process.argv.slice(2);
const upstream = resolveUpstream({ name: "bench upstream", baseUrl: `http://127.0.0.1:${upstreamPort}` });
const report = (bytes) =>
  process.stdout.write(`${JSON.stringify({ bytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
wss.on("connection", async (client, req) => {
  if (kind === "core") {
    const up = await connectWebSocket(upstream, req.url);
    const bridge = bridgeWebSockets(client, up);
    up.resume();
    await bridge.done;
    report(bridge.stats.bytesDown);
    return;
  }
  let bytes = 0;
  const up = new WebSocket(`ws://127.0.0.1:${upstreamPort}${req.url}`, {
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
  });
  up.on("message", (data, isBinary) => {
    bytes += data.length;
    client.send(data, { binary: isBinary });
  });
  up.on("close", (code) => {
    client.close(code === 1005 || code === 1006 ? 1000 : code);
    client.once("close", () => report(bytes));
  });
});
wss.on("listening", () => process.stdout.write(`${JSON.stringify({ port: wss.address().port })}\n`));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
