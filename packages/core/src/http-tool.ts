import type { z } from "zod";
import type { HttpClient } from "./http.js";
import { mapRequest, type RequestMapping } from "./params.js";
import { type AnyObjectSchema, defineTool, type RestRoute, type ToolDefinition, type ToolHints } from "./tool.js";

/** Clients of REST-shaped vendors expose their HttpClient as `http`. */
export interface HasHttp {
  http: HttpClient;
}

export interface HttpToolSpec<S extends AnyObjectSchema> {
  name: string;
  title: string;
  description: string;
  inputSchema: S;
  outputSchema?: AnyObjectSchema;
  annotations: ToolHints;
  request: RequestMapping;
  rest?: readonly RestRoute[];
  /** One compact text summary of the upstream JSON for the model. */
  summarize(data: unknown, args: z.infer<S>): string;
  /** The structuredContent (must be an object); defaults to the body, or {items} for arrays. */
  structure?(data: unknown, args: z.infer<S>): Record<string, unknown>;
  timeoutMs?: number;
}

/**
 * A tool that is exactly one upstream HTTP call: arguments mapped by the declared RequestMapping,
 * the JSON answer returned as structuredContent with a compact summary as text.
 */
export function defineHttpTool<C extends HasHttp, S extends AnyObjectSchema>(
  spec: HttpToolSpec<S>,
): ToolDefinition<C, S> {
  return defineTool<C, S>({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: spec.inputSchema,
    ...(spec.outputSchema ? { outputSchema: spec.outputSchema } : {}),
    annotations: spec.annotations,
    ...(spec.rest ? { rest: spec.rest } : {}),
    async handler(args, ctx) {
      const req = mapRequest(spec.request, args as Record<string, unknown>);
      const data = await ctx.client.http.json({
        method: req.method,
        path: req.path,
        query: req.query,
        headers: req.headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
        signal: ctx.signal,
      });
      const structured = spec.structure
        ? spec.structure(data, args)
        : Array.isArray(data)
          ? { items: data }
          : data && typeof data === "object"
            ? (data as Record<string, unknown>)
            : { value: data ?? null };
      return { text: spec.summarize(data, args), structured };
    },
  });
}
