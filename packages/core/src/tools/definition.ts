import type WebSocket from "ws";
import type { z } from "zod";
import type { SessionRegistry } from "../streams/sessions.js";

/**
 * What a tool is: the definition MCP lists and calls, and the REST route that may answer with it.
 * The bottom of the tool model; everything else in it (builder, toolsets, listing, selection,
 * calls) builds on these types.
 */

/** All four hints, always stated: a missing hint means "assume the worst" to clients. */
export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/**
 * One REST route of the seeds' surface (served by --rest), answered by `tool`. A vendor declares
 * a tool's route on the tool's line of its table (src/tools/index.ts) with `route(...)`.
 */
export interface RestRoute<C = unknown, S extends AnyObjectSchema = AnyObjectSchema> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Seed path with {placeholders}, e.g. /v1/environment/{environmentid}/container. */
  path: string;
  tool: ToolDefinition<C, S>;
  /** Seed placeholder → tool argument, where the names differ (environmentid → environmentId). */
  pathArgs?: Record<string, string>;
  /** Where the JSON request body goes: a named argument, or "merge" into the arguments. */
  body?: string | "merge";
  /**
   * Makes this a websocket route: opens the upstream websocket for the validated arguments with
   * the vendor credential applied. The REST surface bridges the client's Upgrade to it frame for
   * frame; the client never holds the credential. Return the socket as connectWebSocket resolves
   * it (paused, so no early frame is lost; the bridge resumes it). The tool's handler opens its
   * upstream through the same vendor function, so the two cannot drift apart. Without an
   * Upgrade, POST runs the tool; a plain GET does too, but only for a read-only tool (405 else:
   * a cross-site image load must never run exec).
   */
  openUpstreamSocket?(args: z.infer<S>, ctx: ToolContext<C>): Promise<WebSocket>;
}

// biome-ignore lint/suspicious/noExplicitAny: route tables hold heterogenous schemas
export type AnyRoute<C> = RestRoute<C, any>;

type RouteLine = `${RestRoute["method"]} /${string}`;

/**
 * One line of a vendor's route table: `route("GET /v1/1-0/operations/{id}", getOperation)`, plus
 * pathArgs / body / openUpstreamSocket where the route needs them (typed from the tool's schema).
 */
export function route<C, S extends AnyObjectSchema>(
  line: RouteLine,
  tool: ToolDefinition<C, S>,
  extra: Omit<RestRoute<C, S>, "method" | "path" | "tool"> = {},
): AnyRoute<C> {
  const space = line.indexOf(" ");
  return {
    method: line.slice(0, space) as RestRoute["method"],
    path: line.slice(space + 1),
    tool,
    ...extra,
  } as AnyRoute<C>;
}

export interface ToolResultData {
  /** What the model reads first: a compact, complete summary. */
  text: string;
  /** The full data, machine-readable (MCP structuredContent). */
  structured?: Record<string, unknown>;
  /** A result that reports a failure the model should act on (not an exception). */
  isError?: boolean;
}

export interface ToolContext<C> {
  /** The vendor client for this MCP session; throws the configuration error if config is bad. */
  readonly client: C;
  readonly sessions: SessionRegistry;
  /** Aborted when the MCP client cancels the request or the session ends. */
  readonly signal: AbortSignal;
  /** Sends an MCP progress notification when the client asked for them (no-op otherwise). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** --show-env-values: environment values are not masked (a dry run's request body follows it). */
  readonly showEnvValues?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: tool tables hold heterogenous schemas
export type AnyObjectSchema = z.ZodObject<any>;

export interface ToolDefinition<C, S extends AnyObjectSchema = AnyObjectSchema> {
  name: string;
  title: string;
  description: string;
  inputSchema: S;
  outputSchema?: AnyObjectSchema;
  annotations: ToolHints;
  /** The vendor toolset this tool belongs to (see defineVendor). */
  toolset?: string;
  /** One line describing what a destructive call will do, for a confirmation prompt. */
  confirm?(args: z.infer<S>): string;
  /**
   * Opens a long-lived stream session. `true`: always (not offered in stateless mode).
   * `"optional"`: only when asked (e.g. `session: true`); in stateless mode the tool is offered and
   * its other mode works, while ctx.sessions refuses to open a session with a clear error.
   */
  opensSession?: boolean | "optional";
  /** Operates on open sessions; only registered when a tool that opens one is. */
  usesSessions?: boolean;
  handler(args: z.infer<S>, ctx: ToolContext<C>): Promise<ToolResultData>;
}

// biome-ignore lint/suspicious/noExplicitAny: see AnyObjectSchema
export type AnyTool<C> = ToolDefinition<C, any>;

/**
 * Identity helper that infers the handler's argument type from the schema, for core's own tests:
 * every tool that is served is written through a builder (defineVendor), so this is not exported
 * from the package.
 */
export function defineTool<C, S extends AnyObjectSchema>(def: ToolDefinition<C, S>): ToolDefinition<C, S> {
  return def;
}
