import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { InfraMcpError } from "../base/errors.js";
import { redactor } from "../base/redact.js";
import { type ConfirmPolicy, describePolicy } from "./confirm-policy.js";
import type { AnyTool } from "./definition.js";

/** How long a confirmation question waits for the user (a human reads it; the SDK's 60 s is short). */
const CONFIRM_TIMEOUT_MS = 600_000;

/** Longest summary line shown to the user; arguments past it are elided. */
const SUMMARY_MAX = 400;

/**
 * --confirm-destructive is on and the client cannot ask its user (it declared no form elicitation):
 * the call is refused before anything is sent upstream.
 */
export class ConfirmationUnavailableError extends InfraMcpError {
  constructor(tool: string, policy = "--confirm destructive") {
    super(
      "CONFIG",
      `${tool} was not run: this server's operator requires the user to confirm this call (${policy}), and this MCP client does not support confirmation prompts (form elicitation). Use a client that does, or ask the operator.`,
    );
  }
}

/** The line the user is asked about: the tool's own `confirm(args)`, else its title and arguments. */
export function confirmationSummary(tool: AnyTool<unknown>, args: unknown): string {
  let line: string | undefined;
  try {
    line = tool.confirm?.(args as never);
  } catch {
    line = undefined;
  }
  if (!line) {
    const shown = JSON.stringify(args ?? {});
    line = `${tool.title}: ${tool.name} ${shown}`;
  }
  line = redactor.redact(line.replace(/\s+/g, " ").trim());
  return line.length > SUMMARY_MAX ? `${line.slice(0, SUMMARY_MAX - 1)}…` : line;
}

export interface ConfirmContext {
  requestId: RequestId;
  signal: AbortSignal;
  /** The policy that asks, named when the client cannot be asked. */
  policy?: ConfirmPolicy;
}

/**
 * Asks the user, through MCP form elicitation, whether the destructive call may go ahead. Answers
 * undefined when it may, or the tool result to return instead (declined or cancelled). Throws
 * ConfirmationUnavailableError when the client cannot be asked.
 */
export async function confirmDestructiveCall(
  server: McpServer,
  tool: AnyTool<unknown>,
  args: unknown,
  ctx: ConfirmContext,
): Promise<CallToolResult | undefined> {
  if (!server.server.getClientCapabilities()?.elicitation?.form) {
    throw new ConfirmationUnavailableError(tool.name, ctx.policy ? describePolicy(ctx.policy) : undefined);
  }
  const summary = confirmationSummary(tool, args);
  const answer = await server.server.elicitInput(
    {
      mode: "form",
      message: `Allow this ${tool.annotations.destructiveHint ? "destructive " : ""}call? ${summary}`,
      requestedSchema: {
        type: "object",
        properties: {
          confirm: {
            type: "boolean",
            title: "Run it",
            description: `Yes, ${tool.name} may do this`,
            default: false,
          },
        },
        required: ["confirm"],
      },
    },
    // Related to the tool call, so over Streamable HTTP the question travels on that call's stream.
    { relatedRequestId: ctx.requestId, signal: ctx.signal, timeout: CONFIRM_TIMEOUT_MS },
  );
  if (answer.action === "accept" && answer.content?.confirm === true) return undefined;
  const how =
    answer.action === "accept" ? "did not tick confirm" : answer.action === "decline" ? "declined" : "cancelled";
  return {
    isError: true,
    content: [
      {
        type: "text",
        text: `Not run: the user ${how} (${summary}). Nothing was sent upstream. Do not retry unless the user asks for it.`,
      },
    ],
  };
}
