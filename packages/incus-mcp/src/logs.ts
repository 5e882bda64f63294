import { decodeBytes, UpstreamHttpError } from "@infra-mcp/core";
import { z } from "zod";
import { describeBodyOf } from "./api.js";
import type { IncusClient } from "./config.js";

/** Byte-window arguments of the log tools: the tail by default, or from an offset. */
export const windowArgs = {
  maxBytes: z.number().int().min(1).max(1_048_576).default(65_536),
  offset: z.number().int().min(0).optional().describe("Omitted = the tail"),
};

/** Largest log read whole into memory (the console buffer, or a server that ignores Range). */
export const WHOLE_READ_CAP = 8 * 1024 * 1024;

export interface ByteWindow {
  data: Buffer;
  /** Offset of data[0] in the whole log. */
  start: number;
  /** Size of the whole log. */
  total: number;
}

/** The window [offset, offset+maxBytes) — or the last maxBytes — of bytes already in memory. */
export function sliceWindow(all: Buffer, offset: number | undefined, maxBytes: number, total = all.length): ByteWindow {
  const start = offset ?? Math.max(0, all.length - maxBytes);
  return { data: all.subarray(Math.min(start, all.length), start + maxBytes), start, total };
}

/**
 * One window of a log file through an HTTP Range request (Incus serves logs and files with
 * Range support), so a large log is never downloaded whole. A server that ignores Range (200)
 * is sliced locally.
 */
export async function readLogWindow(
  client: IncusClient,
  path: string,
  query: Record<string, string>,
  window: { offset?: number | undefined; maxBytes: number },
  signal: AbortSignal,
): Promise<ByteWindow> {
  const range =
    window.offset === undefined
      ? `bytes=-${window.maxBytes}`
      : `bytes=${window.offset}-${window.offset + window.maxBytes - 1}`;
  const res = await client.http.bytes({
    method: "GET",
    path,
    query,
    headers: { range, accept: "*/*" },
    maxBytes: window.offset === undefined ? WHOLE_READ_CAP : window.maxBytes + window.offset,
    overflow: "truncate",
    throwHttpErrors: false,
    signal,
  });
  const total = Number(/\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1] ?? Number.NaN);
  if (res.status === 416) {
    // Past the end, or an empty log: nothing to return, and the size says where it ends.
    const size = Number.isFinite(total) ? total : 0;
    return { data: Buffer.alloc(0), start: Math.min(window.offset ?? size, size), total: size };
  }
  if (res.status >= 400) throw new UpstreamHttpError("GET", path, res.status, describeBodyOf(res.data));
  if (res.status === 206) {
    const start = Number(/bytes (\d+)-/.exec(res.headers.get("content-range") ?? "")?.[1] ?? 0);
    return {
      data: res.data.subarray(0, window.maxBytes),
      start,
      total: Number.isFinite(total) ? total : res.data.length,
    };
  }
  return sliceWindow(res.data, window.offset, window.maxBytes);
}

/** The window as text plus one line saying which bytes these are and how to get the others. */
export function describeWindow(
  window: ByteWindow,
  what: string,
): { text: string; structured: Record<string, unknown> } {
  // A window that starts inside a multi-byte character would read as binary: start after it.
  let skip = 0;
  while (window.start > 0 && skip < 3 && skip < window.data.length && ((window.data[skip] ?? 0) & 0xc0) === 0x80)
    skip++;
  const w = { ...window, data: window.data.subarray(skip), start: window.start + skip };
  const decoded = decodeBytes(w.data, true);
  const end = w.start + w.data.length;
  const truncated = w.start > 0 || end < w.total;
  const more = [
    w.start > 0 ? `earlier bytes: offset=${Math.max(0, w.start - w.data.length)}` : "",
    end < w.total ? `later bytes: offset=${end}` : "",
  ].filter(Boolean);
  const head =
    w.total === 0
      ? `${what}: empty`
      : `${what}: bytes ${w.start}-${end} of ${w.total}${truncated ? ` (truncated; ${more.join("; ")})` : ""}${decoded.encoding === "base64" ? " (base64)" : ""}`;
  return {
    text: `${head}\n${decoded.text}`,
    structured: {
      content: decoded.text,
      encoding: decoded.encoding,
      offset: w.start,
      nextOffset: end,
      totalBytes: w.total,
      truncated,
    },
  };
}
