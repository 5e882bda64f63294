import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectStdio, daemonGate, freePort, waitFor } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gate, INSTANCE, SOCKET } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin.cjs", import.meta.url));
/** Where scripts/setup-observe.sh builds Jaeger from its Go module (v1.75.0), outside the repository. */
const JAEGER = join(homedir(), ".cache", "infra-mcp", "jaeger-v1.75.0", "jaeger");
const jaegerGate = daemonGate("Jaeger", existsSync(JAEGER), "bash scripts/setup-observe.sh");

interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string; traceID: string }[];
  tags: { key: string; value: unknown }[];
  processID: string;
}

describe.skipIf(gate.skip || jaegerGate.skip)("traces of a stdio server, received by a real Jaeger", () => {
  const dir = mkdtempSync(join(tmpdir(), "observe-jaeger-"));
  let jaeger: ChildProcess | undefined;
  let query = "";
  let otlp = "";

  beforeAll(async () => {
    const [otlpPort, queryPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    otlp = `http://127.0.0.1:${otlpPort}`;
    query = `http://127.0.0.1:${queryPort}`;
    writeFileSync(
      join(dir, "jaeger.yaml"),
      `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  jaeger_query:
    storage:
      traces: mem
    http:
      endpoint: 127.0.0.1:${queryPort}
    grpc:
      endpoint: 127.0.0.1:${grpcPort}
  jaeger_storage:
    backends:
      mem:
        memory:
          max_traces: 1000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: mem
`,
    );
    jaeger = spawn(JAEGER, ["--config", join(dir, "jaeger.yaml")], { stdio: "ignore" });
    await waitFor(
      async () =>
        (await fetch(`${query}/api/services`).catch(() => undefined))?.ok &&
        (await fetch(`${otlp}/`).catch(() => undefined)),
      { what: "Jaeger's query API and OTLP receiver", timeoutMs: 60_000, intervalMs: 200 },
    );
  }, 90_000);

  afterAll(() => {
    jaeger?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  const traceOf = (traceId: string, op: string) =>
    waitFor(
      async () => {
        const res = await fetch(`${query}/api/traces/${traceId}`).catch(() => undefined);
        if (!res?.ok) return undefined;
        const body = (await res.json()) as { data?: { spans: JaegerSpan[] }[] };
        const all = body.data?.[0]?.spans ?? [];
        return all.some((s) => s.operationName === op) ? all : undefined;
      },
      { what: `trace ${traceId} in Jaeger`, timeoutMs: 60_000, intervalMs: 250 },
    );

  it("an HTTP server sends its batched spans when SIGTERM stops it", async () => {
    const traceId = randomBytes(16).toString("hex");
    const port = await freePort();
    // The batch waits 60 s: only the flush at shutdown can deliver the span within the test.
    const child = spawn(process.execPath, [BIN, "--http", "--port", String(port)], {
      env: {
        PATH: process.env.PATH ?? "",
        INCUS_SOCKET: SOCKET,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
        OTEL_SERVICE_NAME: "incus-mcp-sigterm-test",
        OTEL_BSP_SCHEDULE_DELAY: "60000",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor(() => stderr.includes(`:${port}`), { what: "the HTTP bin listening", timeoutMs: 15_000 });
      const client = new Client({ name: "sigterm-spans", version: "0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      const r = await client.callTool({
        name: "list-instances",
        arguments: {},
        _meta: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
      });
      expect(r.isError).toBeFalsy();
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const spans = await traceOf(traceId, "list-instances");
      expect(spans.some((s) => s.operationName.startsWith("HTTP "))).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);

  for (const protocol of ["http/protobuf", "http/json"]) {
    it(`${protocol}: a span per tool call continuing the caller's traceparent, child spans per upstream request and websocket`, async () => {
      const traceId = randomBytes(16).toString("hex");
      const parentId = randomBytes(8).toString("hex");
      const c = await connectStdio(BIN, {
        env: {
          INCUS_SOCKET: SOCKET,
          MCP_TOOLSETS: "all",
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_SERVICE_NAME: "incus-mcp-observe-test",
        },
      });
      const _meta = { traceparent: `00-${traceId}-${parentId}-01` };
      const list = await c.client.callTool({ name: "list-instances", arguments: {}, _meta });
      expect(list.isError).toBeFalsy();
      const exec = await c.client.callTool({
        name: "exec-in-instance",
        arguments: { instance: INSTANCE, command: ["true"] },
        _meta,
      });
      expect(exec.isError).toBeFalsy();
      // Ending stdin shuts the server down, which sends the buffered spans first.
      await c.close();
      const spans = await traceOf(traceId, "exec-in-instance");
      const byName = (n: string) => spans.filter((s) => s.operationName === n);
      const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;
      const [listSpan] = byName("list-instances");
      const [execSpan] = byName("exec-in-instance");
      expect(listSpan && parentOf(listSpan)).toBe(parentId);
      expect(execSpan && parentOf(execSpan)).toBe(parentId);
      const tags = Object.fromEntries((listSpan?.tags ?? []).map((t) => [t.key, t.value]));
      expect(tags).toMatchObject({ "mcp.server": "incus-mcp", "mcp.tool": "list-instances", "mcp.outcome": "ok" });
      // No argument values on a span: the exec's command is nowhere in it.
      expect(JSON.stringify(execSpan)).not.toContain('"true"');
      const http = spans.filter((s) => s.operationName.startsWith("HTTP "));
      expect(http.some((s) => parentOf(s) === listSpan?.spanID)).toBe(true);
      expect(http.some((s) => parentOf(s) === execSpan?.spanID)).toBe(true);
      expect(byName("websocket").some((s) => parentOf(s) === execSpan?.spanID)).toBe(true);
    }, 120_000);
  }
});
