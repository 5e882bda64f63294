import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody } from "../shared/body.js";
import { sendJson } from "../shared/problem.js";

/** The JSON-RPC side of Streamable HTTP: bodies in, errors out, session ids, what a body asks for. */

/** readJson's answer when it has already answered the request (413, 400). */
export const NO_BODY = Symbol("no body");

/** The body as JSON, or NO_BODY when it was too large or not JSON (the error is sent). */
export async function readJson(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readBody(req, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      rpcError(res, 413, -32000, error.message, { connection: "close" });
      return NO_BODY;
    }
    throw error;
  }
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    rpcError(res, 400, -32700, "Parse error: the body is not valid JSON.");
    return NO_BODY;
  }
}

/** A routing key recorded in a session id: no "." (the separator), short enough for a header. */
export const ROUTING_KEY = /^[0-9A-Za-z_~-]{8,64}$/;

/**
 * A new session id: a random UUID (122 random bits), generated here and never taken from the client (a chosen id
 * would let an attacker fix a victim's session). A proxy's routing key, when given, is a prefix
 * (`<key>.<hex>`) the proxy can route on; it grants nothing.
 */
export function newSessionId(routingKey?: string): string {
  const random = randomUUID();
  return routingKey ? `${routingKey}.${random}` : random;
}

/** `{ only }`: the tool names when every message of the body is a tools/call naming one; else `{}`. */
export function calledToolsOption(body: unknown): { only?: ReadonlySet<string> } {
  const messages = Array.isArray(body) ? body : [body];
  const names = new Set<string>();
  for (const m of messages) {
    const call = m as { method?: unknown; params?: { name?: unknown } } | null;
    if (call?.method !== "tools/call" || typeof call.params?.name !== "string") return {};
    names.add(call.params.name);
  }
  return names.size ? { only: names } : {};
}

/** Whether a message (or one of a batch) carries a progress token, i.e. wants notifications streamed. */
export function asksForProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined && meta.progressToken !== null;
  });
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A JSON-RPC error envelope with an HTTP status, as the SDK answers transport-level failures. */
export function rpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers);
}
