// Makes the Incus daemon emit about <bytes> of `logging` events: every API request is logged at
// debug level with its URL ("Handling API request"), so a GET /1.0 with a <pad>-byte query
// string becomes an event of about that size. Nothing in the daemon changes (GET only, no
// instance touched). Ends with one GET /1.0?<marker>=end, which the readers wait for.
//   incus-events-gen.mjs <socket> <bytes> <marker> [pad=16384] [concurrency=6]
import { Agent, request } from "node:http";

const [socketPath, bytesArg, marker, padArg = "16384", concArg = "6"] = process.argv.slice(2);
const pad = Number(padArg);
const total = Math.ceil(Number(bytesArg) / pad);
const agent = new Agent({ keepAlive: true, maxSockets: Number(concArg) });
const padding = "p".repeat(pad);
const get = (query) =>
  new Promise((resolve, reject) => {
    const req = request({ socketPath, agent, path: `/1.0?${query}` }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    req.end();
  });
let sent = 0;
await Promise.all(
  Array.from({ length: Number(concArg) }, async () => {
    while (sent < total) {
      sent++;
      await get(`${marker}=${padding}`);
    }
  }),
);
await get(`${marker}=end`);
agent.destroy();
process.stdout.write(`${JSON.stringify({ requests: total })}\n`);
