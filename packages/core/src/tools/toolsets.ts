import { ConfigError } from "../base/errors.js";
import type { AnyTool } from "./definition.js";

/** A named group of a vendor's tools, switched on and off together (--toolsets). */
export interface ToolsetInfo {
  description: string;
  /** On when the user names no toolset. */
  default: boolean;
}

/** A vendor's toolsets by name (the `toolsets` of its defineVendor builder). */
export type ToolsetTable = Readonly<Record<string, ToolsetInfo>>;

/** `--toolsets all`: every toolset of the vendor. */
export const ALL_TOOLSETS = "all";

/**
 * The toolset of core's session-* tools. They are useless without a tool that opens a session and
 * such a tool is useless without them, so this toolset is on whenever a session opener is.
 */
export const SESSIONS_TOOLSET = "sessions";

/** The toolset a tool belongs to; core's session tools belong to "sessions" without saying so. */
export function toolsetOf(tool: Pick<AnyTool<unknown>, "toolset" | "usesSessions">): string | undefined {
  return tool.toolset ?? (tool.usesSessions ? SESSIONS_TOOLSET : undefined);
}

/** The toolsets on when nobody chose any. */
export function defaultToolsets(table: ToolsetTable): string[] {
  return Object.entries(table)
    .filter(([, info]) => info.default)
    .map(([name]) => name);
}

/**
 * Checks the names against the table and answers the set of toolsets to serve ("all" expands).
 * An unknown name is a configuration error that lists the known ones, so a typo refuses to start
 * instead of silently serving less.
 */
export function resolveToolsets(table: ToolsetTable, names: readonly string[], server = "this server"): Set<string> {
  const known = Object.keys(table);
  if (!known.length) {
    throw new ConfigError(`--toolsets: ${server} has no toolsets; use --tools to pick tools.`);
  }
  if (names.includes(ALL_TOOLSETS)) return new Set(known);
  const unknown = names.filter((n) => !Object.hasOwn(table, n));
  if (unknown.length) {
    throw new ConfigError(
      `Unknown toolset(s) in --toolsets: ${unknown.join(", ")}. ${server} has: ${known.join(", ")} (or "all").`,
    );
  }
  return new Set(names);
}

/** The short name a vendor goes by in qualified toolset names and mount paths (incus-mcp → incus). */
export function vendorShortName(name: string): string {
  return name.replace(/-mcp$/, "");
}

interface NamedVendor {
  name: string;
  toolsets?: ToolsetTable;
}

/**
 * Splits a --toolsets list among the vendors of one process (the gateway serves three). An entry
 * is `all`, a bare toolset name (every vendor that has it) or `<vendor>:<toolset>` (`incus:exec`,
 * `incus:all`). A vendor no entry names keeps its defaults. An entry no vendor knows refuses to
 * start, naming every vendor's toolsets. Answers each vendor's bare names (undefined = defaults).
 */
export function splitToolsets(
  vendors: readonly NamedVendor[],
  entries: readonly string[] | undefined,
): Map<string, string[] | undefined> {
  const out = new Map<string, string[] | undefined>(vendors.map((v) => [v.name, undefined]));
  if (entries === undefined) return out;
  const add = (vendor: NamedVendor, toolset: string) => {
    const list = out.get(vendor.name) ?? [];
    if (!list.includes(toolset)) list.push(toolset);
    out.set(vendor.name, list);
  };
  const unknown: string[] = [];
  for (const entry of entries) {
    const colon = entry.indexOf(":");
    if (colon >= 0) {
      const short = entry.slice(0, colon);
      const toolset = entry.slice(colon + 1);
      const vendor = vendors.find((v) => vendorShortName(v.name) === short || v.name === short);
      if (vendor && toolset && (toolset === ALL_TOOLSETS || Object.hasOwn(vendor.toolsets ?? {}, toolset))) {
        add(vendor, toolset);
      } else unknown.push(entry);
      continue;
    }
    const owners =
      entry === ALL_TOOLSETS
        ? vendors.filter((v) => Object.keys(v.toolsets ?? {}).length)
        : vendors.filter((v) => Object.hasOwn(v.toolsets ?? {}, entry));
    if (!owners.length) unknown.push(entry);
    for (const v of owners) add(v, entry);
  }
  if (unknown.length) {
    const known = vendors
      .map((v) => {
        const names = Object.keys(v.toolsets ?? {});
        const list = names.length ? `${names.join(", ")} (or "all")` : "no toolsets";
        return vendors.length > 1 ? `${vendorShortName(v.name)}: ${list}` : list;
      })
      .join("; ");
    const server = vendors.length === 1 ? `${vendors[0]?.name} has` : "the servers have";
    throw new ConfigError(`Unknown toolset(s) in --toolsets: ${unknown.join(", ")}. ${server}: ${known}.`);
  }
  return out;
}

/**
 * The --help section: every toolset with its tools, and which are on by default. Generated from the
 * tool table, so it can never disagree with what --toolsets serves.
 */
export function toolsetHelp(vendor: { tools: readonly AnyTool<unknown>[]; toolsets?: ToolsetTable }): string {
  const table = vendor.toolsets ?? {};
  const names = Object.keys(table);
  if (!names.length) return "";
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const pad = " ".repeat(width + 2);
  const lines: string[] = [];
  for (const name of names) {
    const info = table[name] as ToolsetInfo;
    const marks = [
      ...(info.default ? ["default"] : []),
      ...(name === SESSIONS_TOOLSET ? ["on with any session opener"] : []),
    ];
    lines.push(`  ${name.padEnd(width)}${info.description}${marks.length ? ` (${marks.join("; ")})` : ""}`);
    const tools = vendor.tools.filter((t) => toolsetOf(t) === name).map((t) => t.name);
    lines.push(...wrapList(tools.length ? tools : ["(no tools)"], 100 - pad.length).map((l) => `${pad}${l}`));
  }
  const loose = vendor.tools.filter((t) => toolsetOf(t) === undefined).map((t) => t.name);
  if (loose.length) {
    lines.push(`  ${"(none)".padEnd(width)}Tools in no toolset: always on`);
    lines.push(...wrapList(loose, 100 - pad.length).map((l) => `${pad}${l}`));
  }
  const defaults = defaultToolsets(table).join(",");
  return `Toolsets (--toolsets a,b or all; default ${defaults || "none"}):\n${lines.join("\n")}\n`;
}

function wrapList(items: readonly string[], width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const item of items) {
    const next = line ? `${line}, ${item}` : item;
    if (line && next.length > width) {
      out.push(`${line},`);
      line = item;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}
