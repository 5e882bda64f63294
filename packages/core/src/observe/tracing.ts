import { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { log } from "../base/logger.js";

/**
 * OpenTelemetry traces (loaded only when an OTLP endpoint is configured): a span per tool call and
 * REST route, a child span per upstream HTTP request and websocket, W3C traceparent continued from
 * the caller and sent upstream. No global context manager: the observer carries the call's span in
 * its own AsyncLocalStorage and passes it here as the parent, so nothing else in the process changes.
 * The exporters read the standard OTEL_EXPORTER_OTLP_* variables themselves (endpoint, headers,
 * timeout, compression).
 */
export interface TracingConfig {
  /** OTEL_SERVICE_NAME, else the bin's name. */
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf (default) or http/json. */
  protocol: "http/protobuf" | "http/json";
}

const propagator = new W3CTraceContextPropagator();
const setter = {
  set(carrier: Record<string, string>, key: string, value: string) {
    carrier[key] = value;
  },
};
const getter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

export class Tracing {
  readonly #provider: TracerProvider;
  readonly #tracer;

  constructor(config: TracingConfig) {
    const exporter = config.protocol === "http/json" ? new JsonExporter() : new ProtoExporter();
    this.#provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": config.serviceName }),
      spanProcessors: [new BatchSpanProcessor({ exporter })],
    });
    this.#tracer = this.#provider.getTracer("infra-mcp");
    log.info("tracing", { protocol: config.protocol, service: config.serviceName });
  }

  /** The span of one tool call or REST route, continuing the caller's traceparent when given. */
  startCall(name: string, attributes: Record<string, string>, traceparent?: string): Span {
    const parent = traceparent ? propagator.extract(context.active(), { traceparent }, getter) : context.active();
    return this.#tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  }

  /** A child span of `parent` (an upstream request or websocket); its traceparent goes upstream. */
  startChild(parent: Span | undefined, name: string, attributes: Record<string, string>): Span {
    const ctx: Context = parent ? trace.setSpan(context.active(), parent) : context.active();
    return this.#tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, ctx);
  }

  /** The W3C traceparent header value naming `span`. */
  traceparent(span: Span): string | undefined {
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(context.active(), span), carrier, setter);
    return carrier.traceparent;
  }

  end(span: Span, ok: boolean, attributes: Record<string, string | number> = {}): void {
    span.setAttributes(attributes);
    if (!ok) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  /** Sends what is buffered (the process is ending). */
  async shutdown(): Promise<void> {
    await this.#provider.shutdown().catch(() => {});
  }
}
