import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import type { IncusClient } from "../config.js";
import { openOutputFd, readStream, streamArgs } from "../stream.js";

const inputSchema = z.object(streamArgs);

export const getWebsocketStream2 = defineTool<IncusClient, typeof inputSchema>({
  name: "get-websocket-stream-2",
  title: "Read operation websocket (public)",
  description:
    "get-websocket-stream for untrusted callers (?public): the secret alone authorises it (as in migrations).",
  inputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  rest: [
    {
      method: "GET",
      path: "/v1/1-0/operations/{id}/websocket-public",
      websocket: true,
      // Upgrade passthrough (REST surface): the raw operation websocket for this fd's secret.
      openUpstreamSocket: async (args, ctx) =>
        openOutputFd(ctx.client, args.id, args.secret, { public: true, signal: ctx.signal }),
    },
  ],

  handler: (args, ctx) => readStream(ctx.client, args, ctx.signal, true),
});
