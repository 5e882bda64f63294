import { setMaxListeners } from "node:events";
import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { maskEnvValues } from "../base/env-mask.js";
import { InfraMcpError } from "../base/errors.js";
import { log } from "../base/logger.js";
import { type Redactor, redactor, withRedactionScope } from "../base/redact.js";
import { type Caller, observeCall, observeConfirmation, observeRefusal, type Transport } from "../observe/observer.js";
import type { SessionRegistry } from "../streams/sessions.js";
import { confirmDestructiveCall } from "./confirm.js";
import { type ConfirmPolicy, confirmPolicyOf, needsConfirmation } from "./confirm-policy.js";
import type { AnyTool, ToolContext, ToolResultData } from "./definition.js";
import { sdkToolConfig } from "./listing.js";

// The definitions and the selection, as this module exported them before the tool model was
// split (core's tests import them from here); core's own modules import each from its module.
export * from "./definition.js";
export * from "./select.js";

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
  if (options.observe) auditUnservedCalls(server, registered, options.observe);
  return registered;
}

type RawRequestHandler = (request: { params?: { name?: unknown } }, extra: unknown) => Promise<unknown>;

/**
 * McpServer answers a call of a tool it does not serve (outside the served toolsets or level, or
 * a writer hidden by a read-only scope) by itself, before any handler of ours runs, and such a
 * refusal must reach the audit log like every other. The SDK offers no public hook in front of
 * its tools/call handler, so the handler it installed is wrapped where the SDK keeps it; a test
 * over a real bin fails if a new SDK moves it.
 */
function auditUnservedCalls(
  server: McpServer,
  registered: ReadonlyMap<string, RegisteredTool>,
  observe: NonNullable<RegisterOptions<unknown>["observe"]>,
): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RawRequestHandler> })._requestHandlers;
  const sdkCall = handlers?.get("tools/call");
  if (!handlers || !sdkCall) {
    log.warn("calls of tools not served cannot be audited: this SDK keeps its tools/call handler elsewhere");
    return;
  }
  handlers.set("tools/call", (request, extra) => {
    const name = request.params?.name;
    const tool = typeof name === "string" ? registered.get(name) : undefined;
    if (!tool?.enabled) {
      observeRefusal({
        ...observe,
        tool: typeof name === "string" ? name.slice(0, 200) : undefined,
        reason: "not-served",
        detail: tool ? "a writer, hidden by the session's read-only scope" : "not among the tools this server serves",
      });
    }
    return sdkCall(request, extra);
  });
}

async function callTool<C>(
  server: McpServer,
  tool: AnyTool<C>,
  args: unknown,
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  options: RegisterOptions<C>,
): Promise<CallToolResult> {
  const linked = options.sessionSignal ? eitherSignal(extra.signal, options.sessionSignal) : undefined;
  const signal = linked?.signal ?? extra.signal;
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
    linked?.release();
    if (options.inflight) options.inflight.count--;
  }
}

/**
 * A signal aborted when either of two is, released when the call ends. Not AbortSignal.any: Node
 * keeps each signal it makes in a set on its sources and, whenever one of them is collected,
 * walks that whole set; with the session's signal, which lives as long as the server, as a source
 * every garbage collection walked every call made before it (7% of a stdio server's CPU over
 * 3,000 calls, growing with each).
 */
function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const release = () => {
    a.removeEventListener("abort", onAbort);
    b.removeEventListener("abort", onAbort);
  };
  const already = a.aborted ? a : b.aborted ? b : undefined;
  if (already) controller.abort(already.reason);
  else {
    a.addEventListener("abort", onAbort, { once: true });
    // Every call in flight listens to the session's signal: as many as run at once, not a leak.
    setMaxListeners(0, b);
    b.addEventListener("abort", onAbort, { once: true });
  }
  return { signal: controller.signal, release };
}
