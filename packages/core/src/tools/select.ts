import { ConfigError } from "../base/errors.js";
import { type ConfirmPolicy, confirmPolicyOf, needsConfirmation } from "./confirm-policy.js";
import type { AnyTool } from "./definition.js";
import { defaultToolsets, resolveToolsets, type ToolsetTable, toolsetOf } from "./toolsets.js";

export interface ToolFilter {
  /** --read-only: only readOnlyHint tools. */
  readOnly?: boolean;
  /** --disable-destructive: no destructiveHint tool; non-destructive writes stay. */
  disableDestructive?: boolean;
  /** --tools: these tools (on top of any --toolsets). */
  allow?: readonly string[];
  /**
   * --toolsets: the vendor's toolsets to serve, bare names or "all". Unset: the default toolsets,
   * unless --tools alone was given (then only those tools).
   */
  toolsets?: readonly string[];
  /** Stateless HTTP: no tool that needs a session survives between requests. */
  stateless?: boolean;
  /**
   * --confirm-destructive: destructive calls wait for the user's yes (MCP elicitation). Stateless
   * HTTP cannot carry the question and its answer, so there destructive tools are not offered.
   */
  confirmDestructive?: boolean;
  /**
   * --confirm: which calls wait for the user's yes (wins over confirmDestructive). In stateless
   * mode the tools it covers are not offered.
   */
  confirm?: ConfirmPolicy;
  /** --show-env-values: environment values shown as they are (default: masked, names kept). */
  showEnvValues?: boolean;
}

/**
 * The switches a process applies to every server it makes (not toolsets, which each vendor reads
 * apart), with the unset ones left out: MCP HTTP sessions and the REST surface both start from it.
 */
export function sharedSwitchesOf(filter: ToolFilter): ToolFilter {
  const { readOnly, disableDestructive, confirmDestructive, confirm, showEnvValues, allow } = filter;
  return {
    ...(readOnly ? { readOnly } : {}),
    ...(disableDestructive ? { disableDestructive } : {}),
    ...(confirmDestructive ? { confirmDestructive } : {}),
    ...(confirm ? { confirm } : {}),
    ...(showEnvValues ? { showEnvValues } : {}),
    ...(allow ? { allow } : {}),
  };
}

/**
 * Picks the tools to serve from one flat table: toolsets (default ones when none are named) plus
 * --tools, then the safety level (--read-only, --disable-destructive), then what stateless mode
 * cannot serve. Unknown tool or toolset names are a config error that lists the known ones.
 */
export function selectTools<C>(
  tools: readonly AnyTool<C>[],
  filter: ToolFilter = {},
  toolsets?: ToolsetTable,
): AnyTool<C>[] {
  if (filter.allow) {
    const known = new Set(tools.map((t) => t.name));
    const unknown = filter.allow.filter((n) => !known.has(n));
    if (unknown.length) {
      throw new ConfigError(`Unknown tool(s) in --tools: ${unknown.join(", ")}. Known: ${[...known].join(", ")}.`);
    }
  }
  const hasTable = toolsets !== undefined && Object.keys(toolsets).length > 0;
  let inToolsets: (t: AnyTool<C>) => boolean;
  if (filter.toolsets) {
    if (!hasTable) resolveToolsets({}, filter.toolsets);
    const on = resolveToolsets(toolsets as ToolsetTable, filter.toolsets);
    inToolsets = (t) => isIn(t, on);
  } else if (filter.allow) {
    inToolsets = () => false;
  } else if (hasTable) {
    const on = new Set(defaultToolsets(toolsets));
    inToolsets = (t) => isIn(t, on);
  } else {
    inToolsets = () => true;
  }
  let picked = tools.filter((t) => inToolsets(t) || filter.allow?.includes(t.name));
  // An opener pulls in the session tools whatever toolsets or tools were named (see
  // SESSIONS_TOOLSET): `--tools open-exec-session` alone would otherwise open sessions nothing can read.
  if (picked.some((t) => t.opensSession)) {
    picked = tools.filter((t) => picked.includes(t) || t.usesSessions);
  }
  const policy = confirmPolicyOf(filter);
  picked = picked.filter(
    (t) =>
      (!filter.readOnly || t.annotations.readOnlyHint) &&
      (!filter.disableDestructive || !t.annotations.destructiveHint) &&
      !(filter.stateless && (t.opensSession === true || t.usesSessions)) &&
      !(filter.stateless && needsConfirmation(policy, t)),
  );
  if (!picked.some((t) => t.opensSession)) picked = picked.filter((t) => !t.usesSessions);
  return picked;
}

/** A tool that names no toolset (written before toolsets existed) is always in. */
function isIn<C>(tool: AnyTool<C>, on: ReadonlySet<string>): boolean {
  const set = toolsetOf(tool);
  return set === undefined || on.has(set);
}
