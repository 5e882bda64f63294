import http, { type ServerResponse } from "node:http";
import { z } from "zod";
import { ConfigError, httpStatusFor, InfraMcpError, InputError } from "../../base/errors.js";
import { log } from "../../base/logger.js";
import { redactor } from "../../base/redact.js";
import { errorText } from "../../tools/call.js";
import type { AnyTool } from "../../tools/definition.js";
import { BodyTooLargeError } from "../shared/body.js";
import { sendProblem } from "../shared/problem.js";

/** How the REST surface says no: problem+json bodies (RFC 9457) with a stable type per failure. */
export const PROBLEM_BASE = "https://infra-mcp.dev/problems/";

export function insufficientScope(tool: string) {
  return {
    type: `${PROBLEM_BASE}insufficient-scope`,
    title: "Insufficient scope",
    status: 403,
    error: "insufficient_scope",
    detail: `The tool "${tool}" changes things and your access token grants read-only access; sign in with the write scope.`,
    tool,
  };
}

export function zodProblem(error: z.ZodError): Record<string, unknown> {
  const errors = error.issues.map((i) => ({ field: i.path.length ? i.path.join(".") : "(root)", message: i.message }));
  return {
    type: `${PROBLEM_BASE}invalid-input`,
    title: "Invalid argument",
    detail: redactor.redact(errors.map((e) => `Invalid argument "${e.field}": ${e.message}`).join("; ")),
    field: errors[0]?.field,
    errors: redactor.redactValue(errors),
  };
}

export function titleFor(error: unknown): string {
  if (error instanceof ConfigError) return "Server configuration error";
  if (error instanceof InputError) return "Invalid argument";
  if (error instanceof InfraMcpError) {
    const status = httpStatusFor(error);
    return http.STATUS_CODES[status] ?? "Upstream error";
  }
  if (error instanceof z.ZodError) return "Invalid argument";
  return "Internal error";
}

export function statusForRefusal(error: unknown): number {
  if (error instanceof z.ZodError) return 400;
  return httpStatusFor(error);
}

export function problem(res: ServerResponse, error: unknown, tool?: AnyTool<unknown>): void {
  if (error instanceof BodyTooLargeError) {
    sendProblem(res, { title: "Payload too large", status: 413, detail: error.message }, { connection: "close" });
    return;
  }
  if (error instanceof z.ZodError) {
    const z400 = zodProblem(error);
    sendProblem(res, { ...z400, title: String(z400.title), status: 400 });
    return;
  }
  const status = httpStatusFor(error);
  if (!(error instanceof InfraMcpError)) {
    log.error("REST tool failed unexpectedly", {
      tool: tool?.name,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  sendProblem(res, {
    type: `${PROBLEM_BASE}${error instanceof InfraMcpError ? error.code.toLowerCase().replace(/_/g, "-") : "internal"}`,
    title: titleFor(error),
    status,
    detail: errorText(error),
    ...(error instanceof InfraMcpError ? { code: error.code } : {}),
    ...(error instanceof InputError ? { field: error.field } : {}),
    ...(tool ? { tool: tool.name } : {}),
  });
}
