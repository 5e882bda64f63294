// Per-call overhead of the audit log and metrics (issue 24), in process: one MCP client calls a
// write tool that does no I/O of its own through the SDK's in-memory transport, so what differs
// between the modes is only what observe/ adds. Modes run alternately, each in a fresh process:
//   node bench/observe-overhead.mjs            (both modes, 3 rounds; prints p50/p90 per call)
//   node bench/observe-overhead.mjs off|on     (one round of one mode, JSON)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CALLS = 20_000;
const WARMUP = 2_000;
const mode = process.argv[2];

if (!mode) {
  const rows = { off: [], on: [] };
  for (let round = 0; round < 3; round++) {
    for (const m of ["off", "on"]) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), m], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      rows[m].push(JSON.parse(r.stdout.trim().split("\n").at(-1)));
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const m of ["off", "on"]) {
    console.log(
      `${m.padEnd(3)} p50 ${med(rows[m].map((r) => r.p50)).toFixed(1)} µs  p90 ${med(rows[m].map((r) => r.p90)).toFixed(1)} µs  (median of 3 rounds of ${CALLS} calls)`,
    );
  }
  console.log(
    `audit+metrics add p50 ${(med(rows.on.map((r) => r.p50)) - med(rows.off.map((r) => r.p50))).toFixed(1)} µs per call`,
  );
} else {
  const { createVendorServer, defineTool, observeConfigOf, startObservingFrom } = await import("@infra-mcp/core");
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { InMemoryTransport } = await import("@modelcontextprotocol/sdk/inMemory.js");
  const { z } = await import("zod");
  const dir = mkdtempSync(join(tmpdir(), "observe-bench-"));
  let stop = async () => {};
  if (mode === "on") {
    stop = await startObservingFrom(
      observeConfigOf({ MCP_AUDIT_LOG: join(dir, "audit.log"), MCP_METRICS_HOST: "127.0.0.1" }, 0),
    );
  }
  const touch = defineTool({
    name: "touch",
    title: "Touch",
    description: "A write that does nothing",
    inputSchema: z.object({ path: z.string(), content: z.string() }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async () => ({ text: "ok", structured: { id: "op-1" } }),
  });
  const vendor = {
    name: "bench-mcp",
    version: "0",
    title: "bench",
    tools: [touch],
    createClient: () => ({}),
    envHelp: "",
  };
  const handle = createVendorServer(vendor, { transport: "stdio" });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await handle.server.connect(b);
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(a);
  const args = { path: "/etc/motd", content: "x".repeat(200) };
  for (let i = 0; i < WARMUP; i++) await client.callTool({ name: "touch", arguments: args });
  const times = new Float64Array(CALLS);
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await client.callTool({ name: "touch", arguments: args });
    times[i] = (performance.now() - t) * 1000;
  }
  times.sort();
  await client.close();
  await handle.close();
  await stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ mode, p50: times[CALLS >> 1], p90: times[Math.floor(CALLS * 0.9)] }));
}
