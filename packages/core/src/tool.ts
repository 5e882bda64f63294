import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type WebSocket from "ws";
import { z } from "zod";
import { confirmDestructiveCall } from "./confirm.js";
import { type ConfirmPolicy, confirmPolicyOf, needsConfirmation } from "./confirm-policy.js";
import { maskEnvValues } from "./env-mask.js";
import { ConfigError, InfraMcpError } from "./errors.js";
import { sdkToolConfig } from "./listing.js";
import { log } from "./logger.js";
import { type Caller, observeCall, observeConfirmation, type Transport } from "./observe/observer.js";
import { type Redactor, redactor, withRedactionScope } from "./redact.js";
import type { SessionRegistry } from "./sessions.js";
import { defaultToolsets, resolveToolsets, type ToolsetTable, toolsetOf } from "./toolsets.js";

/** All four hints, always stated: a missing hint means "assume the worst" to clients. */
export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/**
 * One REST route of the seeds' surface (served by --rest), answered by `tool`. A vendor declares
 * all of its routes in one place (src/routes.ts), beside the tool table, with `route(...)`.
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
 * Identity helper that infers the handler's argument type from the schema. Vendor tools are
 * written through their vendor's builder (defineVendor); this is for core's own session tools.
 */
export function defineTool<C, S extends AnyObjectSchema>(def: ToolDefinition<C, S>): ToolDefinition<C, S> {
  return def;
}

export interface ToolFilter {
  /** --read-only: only readOnlyHint tools. */
  readOnly?: boolean;
  /** --disable-destructive: no destructiveHint tool; non-destructive writes stay. */
  disableDestructive?: boolean;
  /** --tools: these tools (on top of any --toolsets). */
  allow?: readonly string[];
  /**
   * --toolsets: the vendor's toolsets to serve, bare names or "all". Unset: the default toolsets,
   * unless --tools alone was given (then only those tools).
   */
  toolsets?: readonly string[];
  /** Stateless HTTP: no tool that needs a session survives between requests. */
  stateless?: boolean;
  /**
   * --confirm-destructive: destructive calls wait for the user's yes (MCP elicitation). Stateless
   * HTTP cannot carry the question and its answer, so there destructive tools are not offered.
   */
  confirmDestructive?: boolean;
  /**
   * --confirm: which calls wait for the user's yes (wins over confirmDestructive). In stateless
   * mode the tools it covers are not offered.
   */
  confirm?: ConfirmPolicy;
  /** --show-env-values: environment values shown as they are (default: masked, names kept). */
  showEnvValues?: boolean;
}

/**
 * Picks the tools to serve from one flat table: toolsets (default ones when none are named) plus
 * --tools, then the safety level (--read-only, --disable-destructive), then what stateless mode
 * cannot serve. Unknown tool or toolset names are a config error that lists the known ones.
 */
export function selectTools<C>(
  tools: readonly AnyTool<C>[],
  filter: ToolFilter = {},
  toolsets?: ToolsetTable,
): AnyTool<C>[] {
  if (filter.allow) {
    const known = new Set(tools.map((t) => t.name));
    const unknown = filter.allow.filter((n) => !known.has(n));
    if (unknown.length) {
      throw new ConfigError(`Unknown tool(s) in --tools: ${unknown.join(", ")}. Known: ${[...known].join(", ")}.`);
    }
  }
  const hasTable = toolsets !== undefined && Object.keys(toolsets).length > 0;
  let inToolsets: (t: AnyTool<C>) => boolean;
  if (filter.toolsets) {
    if (!hasTable) resolveToolsets({}, filter.toolsets);
    const on = resolveToolsets(toolsets as ToolsetTable, filter.toolsets);
    inToolsets = (t) => isIn(t, on);
  } else if (filter.allow) {
    inToolsets = () => false;
  } else if (hasTable) {
    const on = new Set(defaultToolsets(toolsets));
    inToolsets = (t) => isIn(t, on);
  } else {
    inToolsets = () => true;
  }
  let picked = tools.filter((t) => inToolsets(t) || filter.allow?.includes(t.name));
  // An opener pulls in the session tools whatever toolsets or tools were named (see
  // SESSIONS_TOOLSET): `--tools open-exec-session` alone would otherwise open sessions nothing can read.
  if (picked.some((t) => t.opensSession)) {
    picked = tools.filter((t) => picked.includes(t) || t.usesSessions);
  }
  const policy = confirmPolicyOf(filter);
  picked = picked.filter(
    (t) =>
      (!filter.readOnly || t.annotations.readOnlyHint) &&
      (!filter.disableDestructive || !t.annotations.destructiveHint) &&
      !(filter.stateless && (t.opensSession === true || t.usesSessions)) &&
      !(filter.stateless && needsConfirmation(policy, t)),
  );
  if (!picked.some((t) => t.opensSession)) picked = picked.filter((t) => !t.usesSessions);
  return picked;
}

/** A tool that names no toolset (written before toolsets existed) is always in. */
function isIn<C>(tool: AnyTool<C>, on: ReadonlySet<string>): boolean {
  const set = toolsetOf(tool);
  return set === undefined || on.has(set);
}

/** Turns any failure into text the model can act on: no stack, no credential. */
export function errorText(error: unknown): string {
  if (error instanceof InfraMcpError) return redactor.redact(error.message);
  if (error instanceof z.ZodError) return redactor.redact(formatZodError(error));
  const message = error instanceof Error ? error.message : String(error);
  return redactor.redact(`Internal error: ${message}`);
}

export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => `Invalid argument "${i.path.length ? i.path.join(".") : "(root)"}": ${i.message}`)
    .join("; ");
}

export function errorResult(error: unknown): CallToolResult {
  return { isError: true, content: [{ type: "text", text: errorText(error) }] };
}

export function toCallToolResult(data: ToolResultData): CallToolResult {
  const result: CallToolResult = { content: [{ type: "text", text: redactor.redact(data.text) }] };
  if (data.structured) result.structuredContent = redactor.redactValue(data.structured);
  if (data.isError) result.isError = true;
  return result;
}

export interface InvokeOptions<C> {
  getClient: () => C;
  sessions: SessionRegistry;
  signal: AbortSignal;
  sendProgress?: (progress: number, total?: number, message?: string) => Promise<void>;
  /** --show-env-values; otherwise environment values in the result are masked. */
  showEnvValues?: boolean;
}

/** Runs one tool with already-validated arguments; shared by MCP and the REST surface. */
export async function invokeTool<C>(
  tool: AnyTool<C>,
  args: unknown,
  options: InvokeOptions<C>,
): Promise<ToolResultData> {
  const ctx: ToolContext<C> = {
    get client() {
      return options.getClient();
    },
    sessions: options.sessions,
    signal: options.signal,
    ...(options.showEnvValues ? { showEnvValues: true } : {}),
    progress: (p, total, message) => options.sendProgress?.(p, total, message) ?? Promise.resolve(),
  };
  const data = await tool.handler(args as never, ctx);
  return options.showEnvValues || !data.structured ? data : { ...data, structured: maskEnvValues(data.structured) };
}

export interface RegisterOptions<C> {
  getClient: () => C;
  sessions: SessionRegistry;
  /** Aborted when the whole MCP session ends, cancelling in-flight calls. */
  sessionSignal?: AbortSignal;
  /**
   * Counts the calls running, so the session's end aborts `sessionSignal` only when one is: the
   * abort also reaches the signals of finished calls not yet collected (and each upstream request
   * that listened to them), work a stateless request, which ends a server per call, pays every time.
   */
  inflight?: { count: number };
  /** Ask the user (MCP elicitation) before any destructiveHint tool runs. */
  confirmDestructive?: boolean;
  /** Ask the user before the calls this policy covers (wins over confirmDestructive). */
  confirm?: ConfirmPolicy;
  /** --show-env-values (see InvokeOptions). */
  showEnvValues?: boolean;
  /** The session's own redaction scope (a per-user credential), applied to every call. */
  redaction?: Redactor;
  /** What the audit log and metrics name this server's calls by. */
  observe?: { server: string; transport: Transport; caller?: Caller | undefined };
}

/** Registers the tools; returns their SDK handles by name (to hide and show them per access level). */
export function registerTools<C>(
  server: McpServer,
  tools: readonly AnyTool<C>[],
  options: RegisterOptions<C>,
): Map<string, RegisteredTool> {
  const registered = new Map<string, RegisteredTool>();
  for (const tool of tools) {
    const handle = server.registerTool(
      tool.name,
      sdkToolConfig(tool),
      (args: unknown, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) =>
        withRedactionScope(options.redaction, () => callTool(server, tool, args, extra, options)),
    );
    registered.set(tool.name, handle);
  }
  return registered;
}

async function callTool<C>(
  server: McpServer,
  tool: AnyTool<C>,
  args: unknown,
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  options: RegisterOptions<C>,
): Promise<CallToolResult> {
  const signal = options.sessionSignal ? AbortSignal.any([extra.signal, options.sessionSignal]) : extra.signal;
  const token = extra._meta?.progressToken;
  if (options.inflight) options.inflight.count++;
  const seen = { server: "", transport: "stdio", ...options.observe, tool: tool.name, args } as const;
  let observed: ReturnType<typeof observeCall> | undefined;
  try {
    const policy = confirmPolicyOf(options);
    // A dry run changes nothing, so nobody is asked.
    const dryRun = (args as { dryRun?: unknown } | undefined)?.dryRun === true;
    if (!dryRun && needsConfirmation(policy, tool as AnyTool<unknown>)) {
      const refused = await confirmDestructiveCall(server, tool as AnyTool<unknown>, args, {
        requestId: extra.requestId,
        signal,
        ...(policy ? { policy } : {}),
      });
      observeConfirmation(seen, refused !== undefined);
      if (refused) return refused;
    }
    const traceparent = extra._meta?.traceparent ?? extra.requestInfo?.headers?.traceparent;
    observed = observeCall({
      ...seen,
      readOnly: tool.annotations.readOnlyHint,
      traceparent: String(traceparent ?? ""),
    });
    const data = await observed.run(() =>
      invokeTool(tool, args, {
        getClient: options.getClient,
        sessions: options.sessions,
        signal,
        ...(options.showEnvValues ? { showEnvValues: true } : {}),
        sendProgress: async (progress, total, message) => {
          if (token === undefined) return;
          await extra
            .sendNotification({
              method: "notifications/progress",
              params: {
                progressToken: token,
                progress,
                ...(total !== undefined ? { total } : {}),
                ...(message ? { message: redactor.redact(message) } : {}),
              },
            })
            .catch(() => {});
        },
      }),
    );
    observed.done({ ok: !data.isError, ...(data.isError ? { error: data.text } : {}), structured: data.structured });
    return toCallToolResult(data);
  } catch (error) {
    observed?.done({ ok: false, error: errorText(error) });
    if (!(error instanceof InfraMcpError) && !(error instanceof z.ZodError)) {
      log.error("tool failed unexpectedly", {
        tool: tool.name,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    return errorResult(error);
  } finally {
    if (options.inflight) options.inflight.count--;
  }
}
