/**
 * The small error hierarchy every tool failure is expressed in. Each class carries a stable string
 * `code` so callers (and the REST surface) can branch without parsing messages, and every message is
 * written for the model: what failed, where, and what to do about it.
 */

export type ErrorCode =
  | "CONFIG"
  | "INVALID_INPUT"
  | "UPSTREAM_HTTP"
  | "UPSTREAM_UNAVAILABLE"
  | "UPSTREAM_TIMEOUT"
  | "UPSTREAM_PROTOCOL"
  | "CANCELLED"
  | "NOT_FOUND"
  | "LIMIT";

export class InfraMcpError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Configuration is missing or wrong; the message names the variable and how to fix it. */
export class ConfigError extends InfraMcpError {
  /** The variable (or variables, comma-separated) at fault, when one is; start-up logs it as a field. */
  readonly variable: string | undefined;
  /** What that variable accepts, in words. */
  readonly accepts: string | undefined;
  constructor(message: string, about: { variable?: string; accepts?: string } = {}) {
    super("CONFIG", message);
    this.variable = about.variable;
    this.accepts = about.accepts;
  }
}

/** An argument was refused before any upstream request was made. */
export class InputError extends InfraMcpError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("INVALID_INPUT", `Invalid argument "${field}": ${message}`);
    this.field = field;
  }
}

/** The upstream answered with an error status. */
export class UpstreamHttpError extends InfraMcpError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly detail: string;
  /** What the status means for this call, when a tool or vendor said (see StatusHints). */
  readonly hint: string | undefined;
  constructor(method: string, path: string, status: number, detail: string, hint?: string) {
    const what = describeStatus(status);
    super(
      "UPSTREAM_HTTP",
      `${method} ${path} failed: HTTP ${status}${what ? ` ${what}` : ""}${detail ? ` — ${detail}` : ""}${hint ? `. ${hint}` : ""}`,
    );
    this.status = status;
    this.method = method;
    this.path = path;
    this.detail = detail;
    this.hint = hint;
  }
}

/** The upstream could not be reached at all (refused, DNS, socket missing, TLS). */
export class UpstreamUnavailableError extends InfraMcpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("UPSTREAM_UNAVAILABLE", message, options);
  }
}

export class UpstreamTimeoutError extends InfraMcpError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super("UPSTREAM_TIMEOUT", `${what} timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A write that was sent but got no answer (a timeout, or the connection lost after sending): it may
 * have been applied. It is never retried automatically (a second deploy or delete is worse than
 * none); the message says so, and the tool layer names the read tool that shows the outcome.
 */
export class WriteOutcomeUnknownError extends InfraMcpError {
  /** The read tool that shows whether the write was applied, once the tool layer knows it. */
  readonly checkWith: string | undefined;
  /** What was sent and how it failed, without the advice. */
  readonly what: string;
  constructor(code: "UPSTREAM_TIMEOUT" | "UPSTREAM_UNAVAILABLE", what: string, checkWith?: string) {
    super(
      code,
      `${what}. The write may have been applied: it was sent and no answer came back. It was not retried.${checkWith ? ` Check with ${checkWith} before calling it again.` : " Check the current state before calling it again."}`,
    );
    this.checkWith = checkWith;
    this.what = what;
  }

  /** The same failure, naming the read tool (the tool layer knows which). */
  withCheck(checkWith: string): WriteOutcomeUnknownError {
    return new WriteOutcomeUnknownError(this.code as "UPSTREAM_TIMEOUT" | "UPSTREAM_UNAVAILABLE", this.what, checkWith);
  }
}

/** The upstream spoke, but not in the shape we expect (bad JSON, unexpected frames). */
export class UpstreamProtocolError extends InfraMcpError {
  constructor(message: string) {
    super("UPSTREAM_PROTOCOL", message);
  }
}

export class CancelledError extends InfraMcpError {
  constructor(what = "The request") {
    super("CANCELLED", `${what} was cancelled by the client`);
  }
}

/** A local object (e.g. a stream session) does not exist. */
export class NotFoundError extends InfraMcpError {
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

/** A local limit was hit (too many sessions, body too large). */
export class LimitError extends InfraMcpError {
  constructor(message: string) {
    super("LIMIT", message);
  }
}

export function isInfraMcpError(error: unknown): error is InfraMcpError {
  return error instanceof InfraMcpError;
}

function describeStatus(status: number): string {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized (the configured credential was rejected; check it is valid and not expired)";
    case 403:
      return "Forbidden (the configured credential lacks permission for this resource)";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

/** HTTP status the REST surface answers with for a given tool failure. */
export function httpStatusFor(error: unknown): number {
  if (!(error instanceof InfraMcpError)) return 500;
  switch (error.code) {
    case "INVALID_INPUT":
      return 400;
    case "NOT_FOUND":
      return 404;
    case "LIMIT":
      return 429;
    case "CONFIG":
      return 500;
    case "UPSTREAM_HTTP": {
      const s = (error as UpstreamHttpError).status;
      return s >= 400 && s < 600 ? s : 502;
    }
    case "UPSTREAM_TIMEOUT":
      return 504;
    case "CANCELLED":
      return 499;
    default:
      return 502;
  }
}
