/**
 * Emitted on `process` once a server has answered its first tools/list: start-up is over, so the
 * functions it compiled are the ones worth caching (see launch.ts).
 */
export const STARTED_EVENT = "infra-mcp:started";

/** Tells the launcher (if any) that start-up is complete; a no-op when nothing listens. */
export function signalStarted(): void {
  (process.emit as (event: string) => boolean)(STARTED_EVENT);
}
