import { defineTool } from "@infra-mcp/core";
import { z } from "zod";
import type { PortainerClient } from "../config.js";
import { openBridge } from "../portainer.js";
import { endpointId, unlisted } from "../schemas.js";
import { openBridgeSession, sessionText } from "../stream.js";

const inputSchema = z.object({
  endpointId,
  input: z
    .string()
    .max(65_536)
    .meta(unlisted)
    .optional()
    .describe('Text to type into the shell right away, e.g. "kubectl get pods -A\\n"'),
});

export const executeWebsocketKubectlShellPod = defineTool<PortainerClient, typeof inputSchema>({
  name: "execute-websocket-kubectl-shell-pod",
  title: "Open a kubectl shell",
  description:
    "Open Portainer's kubectl shell for a Kubernetes environment (Portainer creates the shell pod). Always a session: " +
    "returns sessionId for session-write (end lines with \\n), session-read, session-close. A TTY: input is echoed, " +
    "lines end in \\r\\n.",
  inputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  opensSession: true,
  rest: [
    {
      method: "GET",
      path: "/v1/websocket/kubernetes-shell",
      websocket: true,
      // Upgrade passthrough (REST surface): the raw /api/websocket/kubernetes-shell bridge.
      openUpstreamSocket: (args, ctx) =>
        openBridge(ctx.client, "kubernetes-shell", { endpointId: String(args.endpointId) }, ctx.signal),
    },
  ],
  async handler(args, ctx) {
    ctx.sessions.assertCapacity();
    const ws = await openBridge(ctx.client, "kubernetes-shell", { endpointId: String(args.endpointId) }, ctx.signal);
    const s = openBridgeSession(ctx.sessions, {
      kind: "kubectl-shell",
      label: `kubectl shell (endpoint ${args.endpointId})`,
      ws,
    });
    if (args.input) await s.driver.write(Buffer.from(args.input, "utf8"));
    return {
      text: sessionText(s, `kubectl shell on endpoint ${args.endpointId}`),
      structured: { sessionId: s.id, endpointId: args.endpointId },
    };
  },
});
