import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { log } from "../base/logger.js";
import { redactor } from "../base/redact.js";

/**
 * MCP prompts: runbooks an operator picks in the client ("diagnose this container"). A prompt is
 * text for the model naming the tools to call in order; it calls nothing itself. Arguments are
 * strings (the protocol's), and an argument may complete from the upstream (environment ids,
 * instance names) through the session's own client.
 */
export interface PromptArgument<C> {
  description: string;
  /** Absent: the argument may be left out. */
  required?: boolean;
  /**
   * Values for a partly typed argument, read from the upstream; the other arguments given so far
   * (e.g. the environment a container name is looked up in) are in `context`. A failure completes
   * nothing (a completion is a convenience, never an error the user has to read).
   */
  complete?(client: C, prefix: string, context: Record<string, string>, signal: AbortSignal): Promise<string[]>;
}

export interface PromptDefinition<C> {
  name: string;
  title: string;
  description: string;
  args: Record<string, PromptArgument<C>>;
  /** The runbook, with the arguments filled in. */
  text(args: Record<string, string | undefined>): string;
}

/** At most this many completion values (the protocol's own cap is 100). */
const MAX_COMPLETIONS = 100;
/** A completion reads one upstream list; it must not hold the client's typing for long. */
const COMPLETE_TIMEOUT_MS = 5_000;

/** Registers the vendor's prompts on one server; `getClient` is that server's (lazy) client. */
export function registerPrompts<C>(
  server: McpServer,
  prompts: readonly PromptDefinition<C>[],
  getClient: () => C,
): void {
  for (const prompt of prompts) {
    const shape: Record<string, z.ZodType<string | undefined>> = {};
    for (const [name, arg] of Object.entries(prompt.args)) {
      const base = z.string().describe(arg.description);
      const complete = arg.complete;
      const typed = complete
        ? completable(base, async (value, context) => {
            try {
              const values = await complete(
                getClient(),
                value ?? "",
                context?.arguments ?? {},
                AbortSignal.timeout(COMPLETE_TIMEOUT_MS),
              );
              return values.filter((v) => v.startsWith(value ?? "")).slice(0, MAX_COMPLETIONS);
            } catch (error) {
              log.debug("prompt completion failed", {
                prompt: prompt.name,
                argument: name,
                error: redactor.redact(String((error as Error)?.message ?? error)),
              });
              return [];
            }
          })
        : base;
      shape[name] = arg.required ? typed : typed.optional();
    }
    const argsSchema = shape as unknown as Record<string, z.ZodString>;
    server.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema },
      (args: Record<string, string | undefined>) => ({
        description: prompt.description,
        messages: [
          { role: "user" as const, content: { type: "text" as const, text: redactor.redact(prompt.text(args)) } },
        ],
      }),
    );
  }
}

/** The `--help` lines for a vendor's prompts. */
export function promptHelp<C>(prompts: readonly PromptDefinition<C>[] | undefined): string {
  if (!prompts?.length) return "";
  const width = Math.max(...prompts.map((p) => p.name.length)) + 2;
  const lines = prompts.map((p) => {
    const args = Object.entries(p.args)
      .map(([n, a]) => (a.required ? n : `[${n}]`))
      .join(" ");
    return `  ${p.name.padEnd(width)}${p.description}${args ? ` (${args})` : ""}`;
  });
  return `Prompts (runbooks a client offers its user):\n${lines.join("\n")}\n`;
}
