import {
  type AnyObjectSchema,
  defineHttpTool,
  type HttpToolSpec,
  type ToolDefinition,
  UpstreamHttpError,
} from "@infra-mcp/core";
import type { QoveryClient } from "./config.js";

/** What a Qovery status means for this tool, appended to core's generic HTTP error text. */
export interface StatusHints {
  404?: string;
  409?: string;
}

const COMMON: Record<number, string> = {
  400: "Qovery refused the request; fix the fields its message names",
  401: "Qovery rejected the token in QOVERY_API_KEY (mistyped, revoked or expired); create a new API token",
  403: "The token in QOVERY_API_KEY is valid but has no access to this resource; check the ids and the token's organization/role",
  422: "Qovery refused the request; fix the fields its message names",
};

/** Rewraps an upstream error with a Qovery-specific hint for its status (the token is never part of it). */
export function withHint(error: unknown, hints: StatusHints = {}): unknown {
  if (!(error instanceof UpstreamHttpError)) return error;
  const hint = (hints as Record<number, string | undefined>)[error.status] ?? COMMON[error.status];
  if (!hint) return error;
  return new UpstreamHttpError(error.method, error.path, error.status, error.detail, hint);
}

/** defineHttpTool for Qovery: one upstream call, plus status hints on failure. */
export function qoveryTool<S extends AnyObjectSchema>(
  spec: HttpToolSpec<S> & { hints?: StatusHints },
): ToolDefinition<QoveryClient, S> {
  const tool = defineHttpTool<QoveryClient, S>(spec);
  const run = tool.handler;
  return {
    ...tool,
    async handler(args, ctx) {
      try {
        return await run(args, ctx);
      } catch (error) {
        throw withHint(error, spec.hints);
      }
    },
  };
}
