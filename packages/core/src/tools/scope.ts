import type { z } from "zod";
import { ConfigError } from "../base/errors.js";
import type { AnyRoute, AnyTool, ToolContext } from "./definition.js";
import { unlistStrictness } from "./write-safety.js";

/**
 * Arguments every tool of a vendor shares and that decide which client serves the call, e.g.
 * incus-mcp's `remote`: the vendor's client is a registry (`R`), each call gets the member its
 * arguments name (`C`). Tool files keep seeing `ctx.client` as a plain `C` and never mention the
 * shared arguments.
 */
export interface ClientScope<R, C, A extends z.ZodRawShape> {
  args: A;
  /** Picks the call's client; throws (e.g. an InputError naming the argument) for an unknown choice. */
  select(root: R, args: z.infer<z.ZodObject<A>>): C;
}

/** A context whose `client` is the member the call's arguments select, resolved on first use. */
function narrow<R, C, A extends z.ZodRawShape>(
  scope: ClientScope<R, C, A>,
  ctx: ToolContext<R>,
  args: unknown,
): ToolContext<C> {
  let client: C | undefined;
  return {
    get client() {
      client ??= scope.select(ctx.client, args as z.infer<z.ZodObject<A>>);
      return client;
    },
    sessions: ctx.sessions,
    signal: ctx.signal,
    ...(ctx.showEnvValues ? { showEnvValues: true } : {}),
    progress: (p, total, message) => ctx.progress(p, total, message),
  };
}

/**
 * Gives every tool the scope's arguments (in the listed schema, the REST surface and validation)
 * and a context whose `client` is the one they select. Tools that work on open sessions
 * (session-read …) take no scope arguments: a session already belongs to the client that opened
 * it. A tool that already declares one of the arguments is a configuration error: it would
 * silently shadow the shared one.
 */
export function scopeTools<R, C, A extends z.ZodRawShape>(
  tools: readonly AnyTool<C>[],
  scope: ClientScope<R, C, A>,
): AnyTool<R>[] {
  const names = Object.keys(scope.args);
  return tools.map((tool): AnyTool<R> => {
    const { handler, ...definition } = tool;
    if (tool.usesSessions) {
      return { ...definition, handler: (args, ctx) => handler.call(tool, args, narrow(scope, ctx, {})) };
    }
    const clash = names.filter((n) => Object.hasOwn(tool.inputSchema.shape, n));
    if (clash.length) {
      throw new ConfigError(`Tool ${tool.name} declares ${clash.join(", ")}, which every tool of this vendor shares.`);
    }
    return {
      ...definition,
      inputSchema: unlistStrictness(tool.inputSchema.extend(scope.args)),
      handler: (args, ctx) => handler.call(tool, args, narrow(scope, ctx, args)),
    };
  });
}

/**
 * The vendor's route table for its scoped tools (the result of scopeTools, matched by name):
 * each route answers with the scoped tool, and a websocket opener gets the same scoped context.
 */
export function scopeRoutes<R, C, A extends z.ZodRawShape>(
  routes: readonly AnyRoute<C>[],
  scopedTools: readonly AnyTool<R>[],
  scope: ClientScope<R, C, A>,
): AnyRoute<R>[] {
  const byName = new Map(scopedTools.map((t) => [t.name, t]));
  return routes.map((route): AnyRoute<R> => {
    const tool = byName.get(route.tool.name);
    if (!tool) throw new ConfigError(`REST route ${route.path} answers with ${route.tool.name}, which is not scoped.`);
    const { openUpstreamSocket: open, tool: _unscoped, ...plain } = route;
    return open
      ? { ...plain, tool, openUpstreamSocket: (args, ctx) => open.call(route, args, narrow(scope, ctx, args)) }
      : { ...plain, tool };
  });
}
