import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import type { IncusClient } from "../config.js";
import { openOutputFd, readStream, streamArgs } from "../stream.js";

const inputSchema = z.object(streamArgs);

export const getWebsocketStream = defineTool<IncusClient, typeof inputSchema>({
  name: "get-websocket-stream",
  title: "Read operation websocket",
  description:
    "Read an operation websocket (exec fd) to its end or a limit (maxBytes: truncated); UTF-8 or base64. A wait-for-websocket exec starts once all fds connect.",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  rest: [
    {
      method: "GET",
      path: "/v1/1-0/operations/{id}/websocket",
      websocket: true,
      // Upgrade passthrough (REST surface): the raw operation websocket for this fd's secret.
      openUpstreamSocket: async (args, ctx) => openOutputFd(ctx.client, args.id, args.secret, { signal: ctx.signal }),
    },
  ],

  handler: (args, ctx) => readStream(ctx.client, args, ctx.signal, false),
});
