import type { z } from "zod";
import { ConfigError } from "./errors.js";
import type { AnyTool, RestRoute, ToolContext } from "./tool.js";

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

/**
 * Gives every tool the scope's arguments (in the listed schema, the REST surface and validation)
 * and a context whose `client` is the one they select, resolved on first use. Websocket route
 * hooks get the same scoped context. Tools that work on open sessions (session-read …) take no
 * scope arguments: a session already belongs to the client that opened it. A tool that already
 * declares one of the arguments is a configuration error: it would silently shadow the shared one.
 */
export function scopeTools<R, C, A extends z.ZodRawShape>(
  tools: readonly AnyTool<C>[],
  scope: ClientScope<R, C, A>,
): AnyTool<R>[] {
  const names = Object.keys(scope.args);
  const narrow = (ctx: ToolContext<R>, args: unknown): ToolContext<C> => {
    let client: C | undefined;
    return {
      get client() {
        client ??= scope.select(ctx.client, args as z.infer<z.ZodObject<A>>);
        return client;
      },
      sessions: ctx.sessions,
      signal: ctx.signal,
      progress: (p, total, message) => ctx.progress(p, total, message),
    };
  };
  return tools.map((tool): AnyTool<R> => {
    const { rest: _rest, handler, ...definition } = tool;
    if (tool.usesSessions) return { ...definition, handler: (args, ctx) => handler.call(tool, args, narrow(ctx, {})) };
    const clash = names.filter((n) => Object.hasOwn(tool.inputSchema.shape, n));
    if (clash.length) {
      throw new ConfigError(`Tool ${tool.name} declares ${clash.join(", ")}, which every tool of this vendor shares.`);
    }
    const rest = tool.rest?.map((route): RestRoute<R, unknown> => {
      const open = route.openUpstreamSocket;
      const { openUpstreamSocket: _, ...plain } = route;
      return open ? { ...plain, openUpstreamSocket: (args, ctx) => open.call(route, args, narrow(ctx, args)) } : plain;
    });
    return {
      ...definition,
      inputSchema: tool.inputSchema.extend(scope.args),
      ...(rest ? { rest } : {}),
      handler: (args, ctx) => handler.call(tool, args, narrow(ctx, args)),
    };
  });
}
