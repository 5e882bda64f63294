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

/** Reads one operation websocket to its end (empty text frame or close) within the bounds. */
export async function readStream(
  client: IncusClient,
  args: { id: string; secret: string; maxBytes: number; idleTimeoutMs: number; timeoutSeconds: number },
  signal: AbortSignal,
  isPublic: boolean,
) {
  const ws = await openFd(client, args.id, args.secret, { public: isPublic, signal });
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
