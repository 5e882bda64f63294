import type { z } from "zod";
import { ConfigError, UpstreamHttpError } from "../base/errors.js";
import type { HttpClient } from "../upstream/http.js";
import { mapRequest, type RequestMapping } from "../upstream/params.js";
import type { AnyObjectSchema, ToolContext, ToolDefinition, ToolHints, ToolResultData } from "./definition.js";
import { guardedHandler, guardedSchema } from "./write-safety.js";

/**
 * How a tool is written: a spec (name, schema, hints as a preset, handler) becomes a
 * ToolDefinition with its toolset, fixed options, status hints and variants. A vendor's builder
 * (defineVendor) and core's own session tools both make their tools here.
 */

/**
 * The hint combinations the three vendors actually use, named by what a call may do. Every tool
 * talks to a remote system, so openWorldHint is always true.
 */
export const HINTS = {
  /** Reads only; repeating it changes nothing. */
  readOnly: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  /** Creates or starts something; nothing existing is lost; a repeat does it again. */
  write: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  /** Sets something to a given state; nothing existing is lost; a repeat is a no-op. */
  idempotentWrite: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  /** May end, kill, replace or delete something; a repeat may do it again. */
  destructive: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  /** May end or replace something, but a repeat with the same arguments changes nothing more. */
  destructiveIdempotent: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
} as const satisfies Record<string, ToolHints>;

export type HintPreset = keyof typeof HINTS;

/**
 * What an upstream HTTP status means for a tool (or, given to defineVendor, for every tool of the
 * vendor), appended to the error the model reads: "404: No environment with this environmentId".
 */
export type StatusHints = Partial<Record<number, string>>;

/** What a tool file writes; the builder adds the rest. */
export interface VendorToolSpec<C, S extends AnyObjectSchema, O> extends ToolSpecBase<S, O> {
  handler(args: z.infer<S>, ctx: ToolContext<C>, options: O): Promise<ToolResultData>;
  /**
   * For `dryRun: true`: the target's current state and what the call would make of it, e.g.
   * "web: running → exited" (reads only; a write here is refused like any in a dry run).
   */
  preview?(args: z.infer<S>, ctx: ToolContext<C>, options: O): Promise<string | undefined>;
}

/**
 * A tool that is exactly one upstream HTTP call: the arguments mapped onto the request by
 * `request`, the JSON answer mapped ONCE by `result` into what the model reads. The vendor
 * client must expose its HttpClient as `http`.
 */
export interface VendorHttpToolSpec<S extends AnyObjectSchema, O = undefined> extends ToolSpecBase<S, O> {
  /** The request, or (for a tool with variants) the request each variant's options ask for. */
  request: RequestMapping | ((options: O) => RequestMapping);
  timeoutMs?: number;
  /**
   * The text summary (then structuredContent is the body itself, `{items}` for an array), or
   * text and structuredContent built from one mapping of the body.
   */
  result(data: unknown, args: z.infer<S>, options: O): string | ToolResultData;
}

interface ToolSpecBase<S extends AnyObjectSchema, O> {
  /** Wire name (the seeds fix these); the identifier of the exported const says what it does. */
  name: string;
  title: string;
  /** Says only what the name and the schema do not. */
  description: string;
  /** One of the vendor's toolsets. */
  toolset: string;
  inputSchema: S;
  outputSchema?: AnyObjectSchema;
  /** A preset name, or all four hints when no preset fits. */
  hints: HintPreset | ToolHints;
  /**
   * Opens a long-lived stream session: `true` always (kept out of stateless mode), `"optional"`
   * only when asked (kept in stateless mode, where asking is refused; see ToolDefinition).
   */
  opensSession?: boolean | "optional";
  /** Operates on open sessions. */
  usesSessions?: boolean;
  /**
   * One line saying what the call is about to do, for a user asked to confirm a destructive call
   * (e.g. "run `rm -rf /tmp/x` in container web"). Destructive tools should have one. A tool
   * with variants gets the variant's options.
   */
  confirm?(args: z.infer<S>, options: O): string;
  /**
   * Settings the model never sees, fixed per tool. A seed twin is the same tool with other
   * options (see `variant`), so the handler is written once.
   */
  options?: O;
  /** What an upstream status means for this tool (see StatusHints). */
  statusHints?: StatusHints;
  /** The read tool that shows whether this write was applied when its answer was lost. */
  checkWith?: string;
}

/** A tool as the vendor table holds it, plus a way to declare a twin of it. */
export interface VendorTool<C, S extends AnyObjectSchema, O> extends ToolDefinition<C, S> {
  readonly toolset: string;
  readonly options: O;
  /**
   * The same handler under another wire name with other fixed options (and, where the twin
   * takes different arguments, its own schema, e.g. a secret the public variant needs).
   */
  variant<S2 extends AnyObjectSchema = S>(spec: VariantSpec<S2, O>): VendorTool<C, S2, O>;
}

export interface VariantSpec<S extends AnyObjectSchema, O> {
  name: string;
  title: string;
  description: string;
  options: O;
  inputSchema?: S;
  hints?: HintPreset | ToolHints;
  confirm?(args: z.infer<S>, options: O): string;
  /** What a status means for the twin, where it differs from the tool's (replaces them). */
  statusHints?: StatusHints;
}

/** Clients of REST-shaped vendors expose their HttpClient as `http` (needed by httpTool). */
export interface HasHttp {
  http: HttpClient;
}

/** The default structuredContent of an HTTP tool: the body, `{items}` for an array, `{value}` otherwise. */
export function structuredBody(data: unknown): Record<string, unknown> {
  if (Array.isArray(data)) return { items: data };
  return data && typeof data === "object" ? (data as Record<string, unknown>) : { value: data ?? null };
}

/**
 * Rewraps an upstream HTTP error with the first hint for its status (the credential is never part
 * of one); an error that already carries a hint (a vendor module said more) is left as it is.
 */
export function withStatusHint(error: unknown, ...hints: (StatusHints | undefined)[]): unknown {
  if (!(error instanceof UpstreamHttpError) || error.hint !== undefined) return error;
  const hint = hints.map((h) => h?.[error.status]).find((h) => h !== undefined);
  if (!hint) return error;
  return new UpstreamHttpError(error.method, error.path, error.status, error.detail, hint);
}

function resolveHints(hints: HintPreset | ToolHints): ToolHints {
  return typeof hints === "string" ? { ...HINTS[hints] } : { ...hints };
}

/** What a tool maker knows of its vendor. */
export interface MakerOptions {
  /** Refuses a toolset the vendor does not have (throws a ConfigError at module load). */
  checkToolset(tool: string, toolset: string): void;
  /** Hints for statuses any tool of the vendor may get (a tool's own statusHints win). */
  statusHints?: StatusHints | undefined;
  /** The read tool that shows whether a write whose answer was lost was applied (a tool's own wins). */
  checkWith?: string | undefined;
  /** The tools act on local state (stream sessions), so a dry run only says what they would do. */
  describeOnly?: boolean;
}

export interface ToolMaker<C> {
  tool<S extends AnyObjectSchema, O = undefined>(spec: VendorToolSpec<C, S, O>): VendorTool<C, S, O>;
  httpTool<S extends AnyObjectSchema, O = undefined>(spec: VendorHttpToolSpec<S, O>): VendorTool<C, S, O>;
}

/** The `tool` and `httpTool` of a builder: specs in, ToolDefinitions (with variants) out. */
export function toolMaker<C>(maker: MakerOptions): ToolMaker<C> {
  function build<S extends AnyObjectSchema, O>(spec: VendorToolSpec<C, S, O>): VendorTool<C, S, O> {
    maker.checkToolset(spec.name, spec.toolset);
    const options = spec.options as O;
    const confirm = spec.confirm;
    const vendorHints = maker.statusHints;
    const annotations = resolveHints(spec.hints);
    const write = !annotations.readOnlyHint;
    const { preview } = spec;
    const handler: VendorTool<C, S, O>["handler"] =
      spec.statusHints || vendorHints
        ? async (args, ctx) => {
            try {
              return await spec.handler(args, ctx, options);
            } catch (error) {
              throw withStatusHint(error, spec.statusHints, vendorHints);
            }
          }
        : (args, ctx) => spec.handler(args, ctx, options);
    const tool: VendorTool<C, S, O> = {
      name: spec.name,
      title: spec.title,
      description: spec.description,
      inputSchema: guardedSchema(spec.inputSchema, write),
      ...(spec.outputSchema ? { outputSchema: spec.outputSchema } : {}),
      annotations,
      ...(spec.opensSession ? { opensSession: spec.opensSession } : {}),
      ...(spec.usesSessions ? { usesSessions: true } : {}),
      ...(confirm ? { confirm: (args: z.infer<S>) => confirm(args, options) } : {}),
      toolset: spec.toolset,
      options,
      handler: guardedHandler<C>(
        {
          name: spec.name,
          write,
          checkWith: spec.checkWith ?? maker.checkWith,
          preview: preview && ((args: never, ctx) => preview(args, ctx, options)),
          ...(maker.describeOnly ? { describeOnly: true } : {}),
        },
        handler as never,
      ) as VendorTool<C, S, O>["handler"],
      variant<S2 extends AnyObjectSchema = S>(v: VariantSpec<S2, O>): VendorTool<C, S2, O> {
        return build<S2, O>({
          ...(spec as unknown as VendorToolSpec<C, S2, O>),
          name: v.name,
          title: v.title,
          description: v.description,
          options: v.options,
          ...(v.inputSchema ? { inputSchema: v.inputSchema } : {}),
          ...(v.hints ? { hints: v.hints } : {}),
          ...(v.confirm ? { confirm: v.confirm } : {}),
          ...(v.statusHints ? { statusHints: v.statusHints } : {}),
        });
      },
    };
    return tool;
  }

  function httpTool<S extends AnyObjectSchema, O>(spec: VendorHttpToolSpec<S, O>): VendorTool<C, S, O> {
    const { request, timeoutMs, result, ...rest } = spec;
    return build<S, O>({
      ...rest,
      async handler(args, ctx, options) {
        const http = (ctx.client as unknown as Partial<HasHttp>).http;
        if (!http) throw new ConfigError(`Tool ${spec.name} is an HTTP tool but the client has no \`http\`.`);
        const mapping = typeof request === "function" ? request(options) : request;
        const req = mapRequest(mapping, args as Record<string, unknown>);
        const data = await http.json({
          method: req.method,
          path: req.path,
          query: req.query,
          headers: req.headers,
          ...(req.body !== undefined ? { body: req.body } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
          signal: ctx.signal,
        });
        const out = result(data, args, options);
        return typeof out === "string" ? { text: out, structured: structuredBody(data) } : out;
      },
    });
  }

  return { tool: build, httpTool };
}
