import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { observeCall, startObserving } from "../src/observe/observer.js";
import { HttpClient } from "../src/upstream/http.js";

/**
 * The traceparent an upstream request carries: a child of the tool call's span, in the caller's
 * trace. The upstream here is a plain HTTP server recording the headers it receives (it also
 * takes the OTLP export, which the Jaeger test in incus-mcp checks for real).
 */
describe("tracing: the traceparent goes upstream", () => {
  const seen: http.IncomingHttpHeaders[] = [];
  let server: http.Server;
  let base = "";
  let stop = async () => {};

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url !== "/v1/traces") seen.push(req.headers);
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${base}/v1/traces`;
    stop = await startObserving({ tracing: { serviceName: "observe-test", protocol: "http/json" } });
  });

  afterAll(async () => {
    await stop();
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    server.close();
  });

  it("continues the caller's trace and names the call's child span", async () => {
    const traceId = randomBytes(16).toString("hex");
    const parentId = randomBytes(8).toString("hex");
    const client = new HttpClient({ name: "Test", baseUrl: base, retries: 0 });
    const call = observeCall({
      server: "test-mcp",
      tool: "a-tool",
      transport: "stdio",
      readOnly: true,
      args: {},
      traceparent: `00-${traceId}-${parentId}-01`,
    });
    await call.run(() => client.json({ method: "GET", path: "/thing" }));
    call.done({ ok: true });
    await client.close();
    const tp = String(seen.at(-1)?.traceparent ?? "");
    const [version, trace, span, flags] = tp.split("-");
    expect(version).toBe("00");
    expect(trace).toBe(traceId);
    expect(span).toMatch(/^[0-9a-f]{16}$/);
    expect(span).not.toBe(parentId); // the upstream request's own span, a child of the call's
    expect(flags).toBe("01");
  });

  it("a request outside any call is a root span of its own, and says so upstream", async () => {
    const client = new HttpClient({ name: "Test", baseUrl: base, retries: 0 });
    await client.json({ method: "GET", path: "/outside" });
    await client.close();
    expect(String(seen.at(-1)?.traceparent ?? "")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
