import type { CollectResult } from "@infra-mcp/core";

/**
 * The common result shape of a one-shot bridge run. The run's output is payload already (attach's
 * stream headers were stripped as the frames came), so the byte counts are the output's own.
 */
export function outputResult(r: CollectResult, extra: Record<string, unknown>) {
  // Portainer only ever sends valid UTF-8 (it drops invalid bytes), so the output is text.
  return {
    output: r.output.decode().text,
    outputBytes: r.output.totalBytes,
    keptBytes: r.output.storedBytes,
    truncated: r.output.truncated,
    durationMs: r.durationMs,
    endReason: r.endReason,
    ...extra,
  };
}

export function truncNote(s: { truncated: boolean; keptBytes: number; outputBytes: number }): string {
  return s.truncated
    ? ` [truncated: kept ${s.keptBytes} of ${s.outputBytes} bytes; raise maxOutputBytes (up to 16 MiB) for more]`
    : "";
}
