import { collectWebSocket } from "@infra-mcp/core";
import { z } from "zod";
import { operationId } from "./api.js";
import type { IncusClient } from "./config.js";
import { openFd } from "./exec.js";

export const streamArgs = {
  id: operationId,
  secret: z.string().min(1).describe("From metadata.fds"),
  maxBytes: z.number().int().min(1).max(16_777_216).default(1_048_576),
  idleTimeoutMs: z.number().int().min(0).max(600_000).default(10_000).describe("0 = off"),
  timeoutSeconds: z.number().int().min(1).max(3600).default(60),
};

/**
 * Opens one operation websocket (`?public` for untrusted callers): what get-websocket-stream(-2)
 * read and what their REST upgrade routes hand to the client.
 */
export function openOperationSocket(
  client: IncusClient,
  args: { id: string; secret: string },
  options: { public: boolean },
  signal: AbortSignal,
) {
  return openFd(client, args.id, args.secret, { public: options.public, signal });
}

/** Reads one operation websocket to its end (empty text frame or close) within the bounds. */
export async function readOperationSocket(
  client: IncusClient,
  args: { id: string; secret: string; maxBytes: number; idleTimeoutMs: number; timeoutSeconds: number },
  options: { public: boolean },
  signal: AbortSignal,
) {
  const ws = await openOperationSocket(client, args, options, signal);
  const r = await collectWebSocket(ws, {
    maxBytes: args.maxBytes,
    idleTimeoutMs: args.idleTimeoutMs,
    totalTimeoutMs: args.timeoutSeconds * 1000,
    signal,
    endOnEmptyText: true,
    onMaxBytes: "close",
  });
  const decoded = r.output.decode();
  const bytes = r.output.totalBytes;
  const note = `${bytes} bytes${r.output.truncated ? ` (truncated to ${r.output.storedBytes}; raise maxBytes, up to 16 MiB, for more)` : ""}, ended by ${r.endReason}${decoded.encoding === "base64" ? ", base64" : ""}`;
  return {
    text: `${note}\n${decoded.text}`,
    structured: {
      id: args.id,
      data: decoded.text,
      encoding: decoded.encoding,
      totalBytes: bytes,
      storedBytes: r.output.storedBytes,
      truncated: r.output.truncated,
      endReason: r.endReason,
      durationMs: r.durationMs,
    },
  };
}
