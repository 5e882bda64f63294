import {
  describeBody,
  encodePathSegment,
  type HttpRequest,
  InputError,
  UpstreamHttpError,
  UpstreamProtocolError,
} from "@infra-mcp/core";
import { z } from "zod";
import type { IncusClient } from "./config.js";

/** Every Incus answer is wrapped: {type: sync|async|error, error_code, error, operation, metadata}. */
export interface IncusEnvelope<T = unknown> {
  type: "sync" | "async" | "error";
  status_code?: number;
  error_code?: number;
  error?: string;
  operation?: string;
  metadata: T;
}

export interface IncusOperation {
  id: string;
  class: string;
  description: string;
  status: string;
  status_code: number;
  created_at: string;
  updated_at: string;
  may_cancel: boolean;
  err: string;
  resources?: Record<string, string[]> | null;
  metadata?: Record<string, unknown> | null;
  location?: string;
}

/** Status codes of a finished operation (Incus: 200 Success, 400 Failure, 401 Cancelled). */
export function isFinal(op: Pick<IncusOperation, "status_code">): boolean {
  return op.status_code >= 200;
}

export function isEnvelope(body: unknown): body is IncusEnvelope {
  return typeof body === "object" && body !== null && typeof (body as { type?: unknown }).type === "string";
}

/** One API call; a `type: "error"` body is an error whatever the HTTP status was. */
export async function incusCall<T>(client: IncusClient, req: HttpRequest): Promise<IncusEnvelope<T>> {
  const body = await client.http.json<unknown>(req);
  const shown = `${req.method} ${new URL(req.path.replace(/^\//, ""), "http://x").pathname}`;
  if (!isEnvelope(body)) throw new UpstreamProtocolError(`${shown}: Incus answered without its JSON envelope`);
  if (body.type === "error") {
    throw new UpstreamHttpError(req.method, shown.slice(req.method.length + 1), body.error_code ?? 0, body.error ?? "");
  }
  return body as IncusEnvelope<T>;
}

/** The human part of an Incus error body read as bytes (its JSON envelope's `error`, else the text). */
export function describeBodyOf(body: Buffer): string {
  const text = body.toString("utf8");
  try {
    const parsed = JSON.parse(text) as unknown;
    if (isEnvelope(parsed) && parsed.error) return describeBody(parsed.error);
    return describeBody(parsed);
  } catch {
    return describeBody(text);
  }
}

/** Operation id argument: a UUID, or the /1.0/operations/<uuid> URL Incus hands out. */
// Sanity length caps on free strings are left out of the schemas (tools/list size): Incus validates
// names itself, and path segments are checked by encodePathSegment.
// `id` also accepts the /1.0/operations/<uuid> URL Incus hands out (normalizeOperationId; empty → InputError).
export const operationId = z.string();

export function normalizeOperationId(raw: string): string {
  const id = raw
    .trim()
    .replace(/^.*\/1\.0\/operations\//, "")
    .replace(/[?#].*$/, "");
  if (!id) throw new InputError("id", "is empty");
  return id;
}

export function operationPath(id: string, suffix = ""): string {
  return `/1.0/operations/${encodePathSegment("id", normalizeOperationId(id))}${suffix}`;
}

/** Omitted → INCUS_PROJECT, else the server's default (no description: the name says it). */
export const projectArg = z.string().min(1).optional();

/** The project query: the argument, else the configured default, else none (server default). */
export function projectQuery(client: IncusClient, project: string | undefined): Record<string, string> {
  const p = project ?? client.project;
  return p ? { project: p } : {};
}

/** One compact line per operation, for the model. */
export function describeOperation(op: IncusOperation): string {
  const err = op.err ? ` — ${op.err}` : "";
  const on = Object.values(op.resources ?? {})
    .flat()
    .slice(0, 3)
    .join(",");
  return `${op.id} ${op.status} ${op.class} "${op.description}"${on ? ` on ${on}` : ""}${op.may_cancel ? " (cancellable)" : ""} created ${op.created_at}${err}`;
}

/** Strips `/1.0/operations/` from the URLs of a status → [url] map. */
export function idsByStatus(metadata: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [status, list] of Object.entries((metadata ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(list)) out[status] = list.map((u) => String(u).replace(/^.*\/1\.0\/operations\//, ""));
  }
  return out;
}

/** Instance name argument (Incus validates the name itself). */
export const instanceArg = z.string().min(1);

/** `/1.0/instances/{name}{suffix}` with the name checked as one path segment. */
export function instancePath(name: string, suffix = ""): string {
  return `/1.0/instances/${encodePathSegment("instance", name)}${suffix}`;
}

/** Bytes for people: 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
