import { z } from "zod";
import { openKubectlShell } from "../bridges.js";
import { portainer } from "../builder.js";
import { endpointId, unlisted } from "../schemas.js";
import { openBridgeSession, sessionText } from "../stream.js";

export const openKubectlShellSession = portainer.tool({
  name: "execute-websocket-kubectl-shell-pod",
  title: "Open a kubectl shell",
  description:
    "Open Portainer's kubectl shell for a Kubernetes environment (Portainer creates the shell pod). Always a session: " +
    "returns sessionId for session-write (end lines with \\n), session-read, session-close. A TTY: input is echoed, " +
    "lines end in \\r\\n.",
  toolset: "kubernetes",
  inputSchema: z.object({
    endpointId,
    input: z
      .string()
      .max(65_536)
      .meta(unlisted)
      .optional()
      .describe('Text to type into the shell right away, e.g. "kubectl get pods -A\\n"'),
  }),
  hints: "destructive",
  opensSession: true,
  confirm: (args) => `open a kubectl shell on Portainer endpoint ${args.endpointId}`,
  async handler(args, ctx) {
    ctx.sessions.assertCapacity();
    const ws = await openKubectlShell(ctx.client, args.endpointId, ctx.signal);
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
