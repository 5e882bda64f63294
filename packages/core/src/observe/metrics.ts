import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { log } from "../base/logger.js";
import { streamBufferBytes } from "./stream-memory.js";

/**
 * The Prometheus metrics of one process (loaded only when a metrics port is set), served at
 * /metrics on their own listener: a stdio server has no HTTP port of its own, and an HTTP server's
 * metrics should not sit behind its bearer token or OAuth.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #calls = new Counter({
    name: "mcp_tool_calls_total",
    help: "Tool calls (MCP and REST) by outcome: ok, error, refused",
    labelNames: ["server", "tool", "outcome"],
    registers: [this.registry],
  });
  readonly #callSeconds = new Histogram({
    name: "mcp_tool_call_duration_seconds",
    help: "Tool call duration",
    labelNames: ["server", "tool"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly #upstream = new Counter({
    name: "mcp_upstream_requests_total",
    help: "HTTP requests to the upstream API (Portainer, Incus, Qovery) by method and status",
    labelNames: ["server", "method", "status"],
    registers: [this.registry],
  });
  readonly #upstreamSeconds = new Histogram({
    name: "mcp_upstream_request_duration_seconds",
    help: "Upstream HTTP request duration",
    labelNames: ["server"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly sessions = new Gauge({
    name: "mcp_sessions",
    help: "Open MCP sessions (Streamable HTTP; 1 for a stdio server)",
    labelNames: ["server"],
    registers: [this.registry],
  });
  readonly streamSessions = new Gauge({
    name: "mcp_stream_sessions",
    help: "Open stream sessions (exec, attach, shell)",
    labelNames: ["server"],
    registers: [this.registry],
  });
  readonly streamBufferBytes = new Gauge({
    name: "mcp_stream_buffer_bytes",
    help: "Output held by all stream sessions of the process",
    registers: [this.registry],
    collect() {
      this.set(streamBufferBytes());
    },
  });
  readonly #authRefusals = new Counter({
    name: "mcp_auth_refusals_total",
    help: "Requests refused by authentication or scope",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly #confirmations = new Counter({
    name: "mcp_confirmations_total",
    help: "Answers to destructive-call confirmations",
    labelNames: ["answer"],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  outcome(server: string, tool: string, outcome: "ok" | "error" | "refused", seconds: number): void {
    this.#calls.inc({ server, tool, outcome });
    if (outcome !== "refused") this.#callSeconds.observe({ server, tool }, seconds);
  }

  upstream(server: string, method: string, status: string, seconds: number): void {
    this.#upstream.inc({ server, method, status });
    this.#upstreamSeconds.observe({ server }, seconds);
  }

  authRefusal(reason: string): void {
    this.#authRefusals.inc({ reason });
  }

  confirmation(answer: "accepted" | "declined"): void {
    this.#confirmations.inc({ answer });
  }

  /** Serves GET /metrics; resolves to a stop function once listening. */
  async serve(port: number, host: string): Promise<() => Promise<void>> {
    const server = http.createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" || path !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("Not found: metrics are at /metrics\n");
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    // Never keeps a stdio server alive on its own: it ends when stdin does.
    server.unref();
    this.port = (server.address() as AddressInfo).port;
    log.info("metrics", { url: `http://${host.includes(":") ? `[${host}]` : host}:${this.port}/metrics` });
    return () => new Promise((resolve) => server.close(() => resolve()));
  }

  port = 0;
}
