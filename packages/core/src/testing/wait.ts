/**
 * Waiting in tests: poll a condition until it holds or a deadline passes. A fixed sleep before an
 * assertion is a guess about how fast a loaded machine is; this waits exactly as long as the thing
 * takes and fails with a message naming what never happened.
 */

export interface WaitForOptions {
  /** What is awaited, for the failure message ("the exec process to exit"). */
  what: string;
  /** The deadline; generous, because it only catches a hang. Default 10 s. */
  timeoutMs?: number;
  /** Pause between checks. Default 25 ms. */
  intervalMs?: number;
  /**
   * A probe that throws is "not yet" rather than broken: readiness of something starting outside
   * the test (a port not listening yet, a pod not ready). The last error goes into the timeout's message.
   */
  retryErrors?: boolean;
}

/**
 * Resolves with the condition's first truthy value. The condition may be async (a probe of a
 * process or a socket); an exception from it propagates at once, since a broken probe is not "not
 * yet" (unless `retryErrors`). Past the deadline it rejects with `timed out after … waiting for
 * <what>` and the last value or error.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { what, timeoutMs = 10_000, intervalMs = 25, retryErrors = false }: WaitForOptions,
): Promise<NonNullable<T>> {
  const started = Date.now();
  for (;;) {
    let value: T | undefined;
    let failed: unknown;
    try {
      value = await condition();
    } catch (error) {
      if (!retryErrors) throw error;
      failed = error;
    }
    if (value) return value as NonNullable<T>;
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      const last = failed !== undefined ? `last error: ${String(failed)}` : `last value: ${describe(value)}`;
      throw new Error(`timed out after ${waited} ms waiting for ${what} (${last})`);
    }
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, timeoutMs - waited)));
  }
}

function describe(value: unknown): string {
  try {
    const text = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}
