// Tool-call overhead: qovery-mcp's list-containers through MCP over stdio against a loopback
// upstream, alternating call by call with the same HTTP requests made directly with ky (the
// tool makes two GETs in parallel: the list and its status), so both see the same noise.
// With `observe`, two more servers take their turn in the same rotation: one writing the audit
// log (reads included, so every call writes its two records) and serving metrics, one exporting
// traces to a loopback OTLP sink; so what each costs per call is measured against the same noise.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ky from "ky";
import { freePort } from "./ports.mjs";
import { environmentId, startQoveryUpstream } from "./qovery-upstream.mjs";
import { summarize } from "./stats.mjs";
import { startStdio } from "./stdio.mjs";

export const FAKE_KEY = "bench-fake-qovery-key-0123456789";

/** An OTLP/HTTP receiver that takes every export and answers 200, counting what it got. */
async function startOtlpSink() {
  const seen = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on("data", (d) => {
      seen.bytes += d.length;
    });
    req.on("end", () => {
      seen.requests++;
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export async function toolCallBench(binPath, { calls = 1500, warmup = 200, observe = false } = {}) {
  const upstream = await startQoveryUpstream();
  const dir = mkdtempSync(join(tmpdir(), "bench-observe-"));
  const sink = observe ? await startOtlpSink() : undefined;
  const base = { ...process.env, QOVERY_API_URL: upstream.url, QOVERY_API_KEY: FAKE_KEY };
  const subjects = [{ key: "mcp", env: base }];
  if (observe) {
    subjects.push({
      key: "auditMetrics",
      env: {
        ...base,
        MCP_AUDIT_LOG: join(dir, "audit.log"),
        MCP_AUDIT_READS: "1",
        MCP_METRICS_PORT: String(await freePort()),
      },
    });
    subjects.push({ key: "tracing", env: { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } });
  }
  for (const s of subjects) s.server = startStdio(process.execPath, [binPath], { env: s.env });
  try {
    for (const s of subjects) {
      const hs = await s.server.handshake();
      if (!hs.list.msg.result.tools.some((t) => t.name === "list-containers"))
        return { skipped: "no list-containers tool" };
    }
    const direct = ky.create({ prefix: upstream.url, headers: { authorization: `Token ${FAKE_KEY}` }, retry: 0 });
    const path = `environment/${environmentId}/container`;
    const viaMcp = (server) => async () => {
      const t = performance.now();
      const r = await server.request("tools/call", { name: "list-containers", arguments: { environmentId } });
      const ms = performance.now() - t;
      if (r.msg.error || r.msg.result?.isError)
        throw new Error(`list-containers failed: ${JSON.stringify(r.msg).slice(0, 400)}`);
      return ms;
    };
    const viaKy = async () => {
      const t = performance.now();
      await Promise.all([direct.get(path).json(), direct.get(`${path}/status`).json()]);
      return performance.now() - t;
    };
    const runners = [
      { key: "ky", run: viaKy, times: [] },
      ...subjects.map((s) => ({ key: s.key, run: viaMcp(s.server), times: [] })),
    ];
    for (let i = 0; i < warmup; i++) for (const r of runners) await r.run();
    for (let i = 0; i < calls; i++) {
      // Each call rotates who goes first, so no subject always follows the same one.
      for (let j = 0; j < runners.length; j++) {
        const r = runners[(i + j) % runners.length];
        r.times.push(await r.run());
      }
    }
    const out = { calls, upstreamRequests: upstream.requests };
    for (const r of runners) out[r.key] = summarize(r.times);
    // Closed first: a stdio server flushes its batched spans when its stdin ends.
    for (const s of subjects.splice(0)) await s.server.close();
    if (observe) {
      out.auditBytes = statSync(join(dir, "audit.log")).size;
      out.auditRecords = 2 * (warmup + calls);
      out.otlp = { ...sink.seen };
    }
    return out;
  } finally {
    for (const s of subjects) await s.server?.close();
    await upstream.close();
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
