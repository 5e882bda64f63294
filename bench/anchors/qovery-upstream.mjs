// The canned Qovery upstream in a process of its own, so the load generator and the server under
// test do not share its event loop. Prints {url}; on "count\n" from stdin prints {requests}.
import { startQoveryUpstream } from "../lib/qovery-upstream.mjs";

const upstream = await startQoveryUpstream();
process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`);
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  if (d.includes("count")) process.stdout.write(`${JSON.stringify({ requests: upstream.requests })}\n`);
});
process.stdin.on("end", () => upstream.close().then(() => process.exit(0)));
