import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectStdio, daemonGate, freePort, waitFor } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gate, SOCKET } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin.cjs", import.meta.url));
const prometheusInstalled = spawnSync("prometheus", ["--version"], { stdio: "ignore" }).status === 0;
const promGate = daemonGate("Prometheus", prometheusInstalled, "bash scripts/setup-observe.sh");

/** A port nobody listens on now (Prometheus takes no port 0). */

describe.skipIf(gate.skip || promGate.skip)("metrics of a stdio server, scraped by a real Prometheus", () => {
  const dir = mkdtempSync(join(tmpdir(), "observe-prom-"));
  let c: Awaited<ReturnType<typeof connectStdio>>;
  let prometheus: ChildProcess | undefined;
  let promUrl = "";
  let metricsUrl = "";

  beforeAll(async () => {
    c = await connectStdio(BIN, { args: ["--metrics-port", "0"], env: { INCUS_SOCKET: SOCKET } });
    // The bin logs where its metrics listen (port 0: the kernel chose).
    metricsUrl = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(c.stderr())?.[1], {
      what: "the metrics url in the server's log",
    });
    const target = new URL(metricsUrl).host;
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: infra-mcp\n    static_configs:\n      - targets: ["${target}"]\n`,
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: "ignore" },
    );
  }, 60_000);

  afterAll(async () => {
    prometheus?.kill("SIGTERM");
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const query = async (promql: string) => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
    if (!res?.ok) return undefined;
    const body = (await res.json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.data.result;
  };

  it("serves the Prometheus text format at /metrics", async () => {
    await c.call("list-instances", {});
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toContain('mcp_tool_calls_total{server="incus-mcp",tool="list-instances",outcome="ok"} 1');
    expect(text).toMatch(/mcp_upstream_requests_total\{server="incus-mcp",method="GET",status="200"\} \d+/);
    expect(text).toContain('mcp_sessions{server="incus-mcp"} 1');
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("Prometheus scrapes it and answers PromQL about the calls through its HTTP API", async () => {
    await c.call("list-instances", {});
    await c.call("get-instance-state", { instance: "no-such-instance-observe" });
    const result = await waitFor(
      async () => {
        const r = await query('sum by (tool, outcome) (mcp_tool_calls_total{job="infra-mcp",server="incus-mcp"})');
        const ok = r?.find((x) => x.metric.tool === "list-instances" && x.metric.outcome === "ok");
        const error = r?.find((x) => x.metric.tool === "get-instance-state" && x.metric.outcome === "error");
        return ok && Number(ok.value[1]) >= 2 && error ? { ok, error } : undefined;
      },
      { what: "Prometheus to have scraped both calls", timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(Number(result.ok.value[1])).toBe(2);
    expect(Number(result.error.value[1])).toBe(1);
    const upstream = await query('sum(mcp_upstream_requests_total{server="incus-mcp"})');
    expect(Number(upstream?.[0]?.value[1])).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
