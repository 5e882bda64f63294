import { log } from "./logger.js";

/**
 * How often an idle-expiry sweep runs: a quarter of the idle limit, so nothing outlives its limit
 * by more than 25 %, but at least every minute and at most every 250 ms. The timer never keeps
 * the process alive.
 */
export function startSweeper(idleMs: number, sweep: () => Promise<unknown>): NodeJS.Timeout {
  const every = Math.max(250, Math.min(60_000, Math.floor(idleMs / 4)));
  const timer = setInterval(() => void sweep(), every);
  timer.unref();
  return timer;
}

/** Time a shutdown may take before the process exits anyway (the README promises 5 s). */
export const SHUTDOWN_BUDGET_MS = 4_500;

/**
 * Closes `close` then exits 0 on SIGTERM/SIGINT, or on whatever else calls the returned function
 * (stdin ending, for stdio); after SHUTDOWN_BUDGET_MS the process exits regardless. A stdio
 * server logs it at debug (a client closing is routine), a network server at info.
 */
export function exitOnShutdown(close: () => Promise<void>, level: "debug" | "info" = "info"): (why: string) => void {
  let closing = false;
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    log[level]("shutting down", { why });
    setTimeout(() => process.exit(0), SHUTDOWN_BUDGET_MS).unref();
    void close()
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  return shutdown;
}
