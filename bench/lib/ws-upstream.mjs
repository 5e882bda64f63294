// Loopback websocket upstream (its own process): each connection gets `?bytes=N` bytes of binary
// frames (64 KiB each), sent as fast as the reader drains them, then a normal close.
import { WebSocketServer } from "ws";

const FRAME = 64 * 1024;
const payload = Buffer.alloc(FRAME, 0x61);
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("connection", (ws, req) => {
  const total = Number(new URL(req.url, "http://x").searchParams.get("bytes") ?? 0);
  let sent = 0;
  const pump = () => {
    while (sent < total && ws.readyState === ws.OPEN) {
      const n = Math.min(FRAME, total - sent);
      sent += n;
      const last = sent >= total;
      ws.send(
        n === FRAME ? payload : payload.subarray(0, n),
        { binary: true },
        last ? () => ws.close(1000) : undefined,
      );
      if (ws.bufferedAmount > 4 * FRAME) return void setImmediate(waitDrain);
    }
  };
  const waitDrain = () => (ws.bufferedAmount > FRAME ? setImmediate(waitDrain) : pump());
  pump();
});
wss.on("listening", () => process.stdout.write(`${JSON.stringify({ port: wss.address().port })}\n`));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
