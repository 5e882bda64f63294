import { ConfigError } from "../base/errors.js";
import type { AnyTool } from "./definition.js";

/**
 * Which calls wait for the user's yes (--confirm / MCP_CONFIRM): every destructive tool, every tool
 * that is not read-only, or the tools named. `--confirm-destructive` is `--confirm destructive`.
 */
export type ConfirmPolicy = "destructive" | "writes" | readonly string[];

/** `destructive`, `writes`, or a comma list of tool names (checked against the table later). */
export function parseConfirmPolicy(value: string, from = "--confirm"): ConfirmPolicy | undefined {
  const text = value.trim();
  if (!text || text === "none") return undefined;
  if (text === "destructive" || text === "writes") return text;
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.find((n) => !/^[a-z0-9][a-z0-9-]*$/.test(n));
  if (bad !== undefined) {
    throw new ConfigError(
      `${from} takes destructive, writes or a comma list of tool names; "${bad}" is none of these.`,
    );
  }
  return names;
}

/** The policy a filter asks for: `confirm`, else `destructive` when the older boolean is set. */
export function confirmPolicyOf(filter: {
  confirm?: ConfirmPolicy | undefined;
  confirmDestructive?: boolean | undefined;
}): ConfirmPolicy | undefined {
  return filter.confirm ?? (filter.confirmDestructive ? "destructive" : undefined);
}

/** Whether this tool's calls need the user's yes under the policy (a read-only tool never does). */
export function needsConfirmation(policy: ConfirmPolicy | undefined, tool: AnyTool<unknown>): boolean {
  if (policy === undefined || tool.annotations.readOnlyHint) return false;
  if (policy === "writes") return true;
  if (policy === "destructive") return tool.annotations.destructiveHint;
  return policy.includes(tool.name);
}

/** Tool names in a policy list that the vendor tables do not have (a typo would silently ask nothing). */
export function unknownConfirmTools(policy: ConfirmPolicy | undefined, known: Iterable<string>): string[] {
  if (policy === undefined || typeof policy === "string") return [];
  const names = new Set(known);
  return policy.filter((n) => !names.has(n));
}

/** How the policy reads in messages ("--confirm writes"). */
export function describePolicy(policy: ConfirmPolicy): string {
  return `--confirm ${typeof policy === "string" ? policy : policy.join(",")}`;
}
