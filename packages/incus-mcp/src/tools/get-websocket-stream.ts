import { z } from "zod";
import { incus } from "../builder.js";
import { readOperationSocket, streamArgs } from "../stream.js";

export const readOperationStream = incus.tool({
  name: "get-websocket-stream",
  title: "Read operation websocket",
  description:
    "Read an operation websocket (exec fd) to its end or a limit (maxBytes: truncated); UTF-8 or base64. A wait-for-websocket exec starts once all fds connect.",
  toolset: "operations",
  inputSchema: z.object(streamArgs),
  // Reading consumes the stream: a second read does not see the same bytes.
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  options: { public: false },

  handler: (args, ctx, options) => readOperationSocket(ctx.client, args, options, ctx.signal),
});

export const readOperationStreamPublic = readOperationStream.variant({
  name: "get-websocket-stream-2",
  title: "Read operation websocket (public)",
  description:
    "get-websocket-stream for untrusted callers (?public): the secret alone authorises it (as in migrations).",
  options: { public: true },
});
