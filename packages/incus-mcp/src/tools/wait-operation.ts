import { z } from "zod";
import { operationId } from "../api.js";
import { incus } from "../builder.js";
import { waitResult, waitTimeout } from "../wait.js";

export const waitForOperation = incus.tool({
  name: "wait-operation",
  title: "Wait for operation",
  description:
    "Block until an operation ends or timeout passes; returns its final state (exec exit code in metadata.return), or timedOut with the current state. Sends progress notifications; cancelling the call stops the wait.",
  toolset: "operations",
  inputSchema: z.object({ id: operationId, timeout: waitTimeout }),
  hints: "readOnly",

  handler: (args, ctx) => waitResult(ctx.client, args, ctx),
});

export const waitForOperationPublic = waitForOperation.variant({
  name: "wait-operation-2",
  title: "Wait for operation (public)",
  description:
    "wait-operation for untrusted callers (?public): authorised by the operation's own secret (tokens, migrations carry one); a wrong one is 403. Progress shows elapsed time only.",
  options: undefined,
  inputSchema: z.object({
    id: operationId,
    secret: z.string().min(1).describe("The operation's metadata.secret (not an fd secret)"),
    timeout: waitTimeout,
  }),
});
