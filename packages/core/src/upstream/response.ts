import { UpstreamProtocolError, UpstreamTimeoutError } from "../base/errors.js";
import { redactor } from "../base/redact.js";

/** Reading an upstream answer: its body within a cap and a deadline, its errors in a line. */

/**
 * Reads a response body with a byte cap and a deadline (the request timeout, counted from the
 * response headers): ky's timeout ends when the headers arrive, so a body that stalls or never
 * ends would otherwise hang the call or fill memory. Past the deadline, or over the cap unless
 * `overflow: "truncate"`, the body is cancelled (the connection is dropped) and a clear error is
 * thrown; truncating keeps the first maxBytes and reports `truncated`.
 */
export async function readBounded(
  res: Response,
  options: { maxBytes: number; timeoutMs: number; what: string; upstream: string; overflow?: "truncate" | "error" },
): Promise<{ data: Buffer; truncated: boolean }> {
  if (!res.body) return { data: Buffer.alloc(0), truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline =
    options.timeoutMs > 0
      ? new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
        })
      : undefined;
  try {
    for (;;) {
      const next = deadline ? await Promise.race([reader.read(), deadline]) : await reader.read();
      if (next === "timeout") {
        void reader.cancel().catch(() => {});
        throw new UpstreamTimeoutError(
          `${options.what} to ${options.upstream} (reading the response body)`,
          options.timeoutMs,
        );
      }
      if (next.done) break;
      if (size + next.value.byteLength > options.maxBytes) {
        void reader.cancel().catch(() => {});
        if (options.overflow !== "truncate") {
          throw new UpstreamProtocolError(
            `${options.what}: ${options.upstream} sent a response larger than the ${options.maxBytes}-byte limit; narrow the request (filters, a smaller page).`,
          );
        }
        chunks.push(next.value.subarray(0, options.maxBytes - size));
        truncated = true;
        break;
      }
      size += next.value.byteLength;
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return { data: Buffer.concat(chunks), truncated };
}

/** readBounded as UTF-8 text, failing over the cap. */
export async function readBoundedText(
  res: Response,
  options: { maxBytes: number; timeoutMs: number; what: string; upstream: string },
): Promise<string> {
  return (await readBounded(res, options)).data.toString("utf8");
}

/** Picks the human part of an upstream error body (message/error/detail) and bounds it. */
export function describeBody(data: unknown): string {
  if (data === undefined || data === null || data === "") return "";
  if (typeof data === "string") return excerpt(data);
  if (typeof data === "object") {
    const o = data as Record<string, unknown>;
    for (const key of ["message", "error", "detail", "details", "title"]) {
      const v = o[key];
      if (typeof v !== "string" || !v) continue;
      // Portainer's errors put the generic part in message and the cause in details
      // ({"message":"Unable to create Kubernetes client","details":"Unsupported environment type"}).
      const more = key === "message" ? o.details : undefined;
      if (typeof more === "string" && more && more.toLowerCase() !== v.toLowerCase() && more !== "Unauthorized") {
        return excerpt(`${v}: ${more}`);
      }
      return excerpt(v);
    }
    return excerpt(JSON.stringify(data));
  }
  return excerpt(String(data));
}

const EXCERPT = 400;

/** One line of at most `max` characters, redacted (an upstream body quoted in an error). */
export function excerpt(text: string, max = EXCERPT): string {
  const flat = redactor.redact(text.replace(/\s+/g, " ").trim());
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The deepest cause of a network failure, with what its code usually means. */
/** Failures that happen before a request can reach the upstream: connecting, naming, TLS. */
const NOT_SENT =
  /^(ECONNREFUSED|ENOENT|EACCES|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_.*|.*CERT.*)$/;

/** True when the request never left (a write that failed so did not happen). */
export function neverSent(error: unknown): boolean {
  let e: unknown = error;
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as { code?: string }).code;
    if (code) return NOT_SENT.test(code);
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function networkReason(error: unknown): string {
  let e: unknown = error;
  let deepest = String((error as Error)?.message ?? error);
  for (let i = 0; i < 5 && e; i++) {
    if (e instanceof Error && e.message) deepest = e.message;
    const code = (e as { code?: string }).code;
    if (code) {
      const hint: Record<string, string> = {
        ECONNREFUSED: "connection refused — is the service running and the URL right?",
        ENOENT: "socket not found — is the daemon running?",
        EACCES: "permission denied on the socket",
        ENOTFOUND: "host name not found",
        ECONNRESET: "connection reset by the server",
        UND_ERR_SOCKET: "the connection closed unexpectedly",
        DEPTH_ZERO_SELF_SIGNED_CERT:
          "self-signed certificate: set the CA/pinned certificate variable, or the insecure opt-in",
        SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in chain: set the CA variable",
        CERT_HAS_EXPIRED: "the server certificate has expired",
        ERR_TLS_CERT_ALTNAME_INVALID: "the server certificate does not match the host name",
      };
      return `${code}${hint[code] ? ` (${hint[code]})` : ""}`;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return redactor.redact(deepest);
}
