import { z } from "zod";
import { incus } from "../builder.js";
import { eventArgs, startEventsSession } from "../events.js";

export const openEventsSession = incus.tool({
  name: "open-events-session",
  title: "Watch daemon events",
  description:
    "Subscribe to the daemon's live events (lifecycle, operation, logging) of a project or all projects as a session: one JSON event per line, read with session-read by offset. waitMs returns the first events at once.",
  toolset: "events",
  inputSchema: z.object({ ...eventArgs, waitMs: z.number().int().min(0).max(60_000).default(0) }),
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  opensSession: true,

  async handler(args, ctx) {
    const session = await startEventsSession(ctx.client, ctx.sessions, args, ctx.signal);
    await session.waitForOutput(0, args.waitMs, ctx.signal);
    const first = args.waitMs > 0 ? session.read(0, 65_536) : undefined;
    const events = (first?.text ?? "")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return line;
        }
      });
    const from = first?.nextOffset ?? 0;
    return {
      text: `session ${session.id} open: ${session.label}. Read with session-read from offset ${from}.${events.length ? `\n${first?.text}` : ""}`,
      structured: { sessionId: session.id, label: session.label, nextOffset: from, events },
    };
  },
});
