import {
  closeWebSocket,
  connectWebSocket,
  InputError,
  type SessionRegistry,
  type StreamSession,
  type WebSocket,
} from "@infra-mcp/core";
import { z } from "zod";
import { projectArg, projectQuery } from "./api.js";
import type { IncusClient } from "./config.js";

export const eventArgs = {
  type: z
    .array(z.enum(["lifecycle", "operation", "logging"]))
    .min(1)
    .default(["lifecycle", "operation"]),
  project: projectArg,
  "all-projects": z.boolean().default(false),
};

export interface EventFilter {
  type: readonly string[];
  project?: string | undefined;
  "all-projects": boolean;
}

/** `GET /1.0/events?type=…&project=…|all-projects=true` as a websocket (returned paused, see core). */
export function openEventsSocket(client: IncusClient, filter: EventFilter, signal?: AbortSignal): Promise<WebSocket> {
  return connectWebSocket(client.http.upstream, "/1.0/events", {
    query: {
      type: [...new Set(filter.type)].join(","),
      ...(filter["all-projects"] ? { "all-projects": "true" } : projectQuery(client, filter.project)),
    },
    signal,
  });
}

/**
 * The event stream as a core stream session: one JSON event per line, read by byte offset with
 * session-read; the session ends (state exited) when the daemon closes the socket. It is read-only:
 * writing is refused.
 */
export async function startEventsSession(
  client: IncusClient,
  sessions: SessionRegistry,
  filter: EventFilter,
  signal?: AbortSignal,
): Promise<StreamSession> {
  sessions.assertCapacity();
  const ws = await openEventsSocket(client, filter, signal);
  const where = filter["all-projects"] ? "all projects" : `project ${filter.project ?? client.project ?? "default"}`;
  const session = sessions.add("incus-events", `${client.remote}: ${filter.type.join(",")} events, ${where}`, {
    write: async () => {
      throw new InputError("sessionId", "an events session is read-only");
    },
    close: () => closeWebSocket(ws, 1000, 500),
  });
  ws.on("message", (data: WebSocket.RawData) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!buf.length) return;
    session.push(buf[buf.length - 1] === 0x0a ? buf : Buffer.concat([buf, Buffer.from("\n")]));
  });
  ws.on("close", () => session.markExited(null));
  ws.on("error", () => session.markExited(null));
  ws.resume();
  return session;
}
