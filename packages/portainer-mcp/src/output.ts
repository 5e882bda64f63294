import type { CollectResult } from "@infra-mcp/core";

/** The common result shape of a one-shot bridge run. */
export function outputResult(r: CollectResult, extra: Record<string, unknown>, transform?: (b: Buffer) => Buffer) {
  const raw = r.output.toBuffer();
  const bytes = transform ? transform(raw) : raw;
  // Portainer only ever sends valid UTF-8 (it drops invalid bytes), so the output is text.
  const decoded = r.output.decode();
  const text = transform ? bytes.toString("utf8") : decoded.text;
  return {
    output: text,
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
