import { ConfigError } from "../base/errors.js";
import { type StatusHints, type ToolMaker, toolMaker } from "./define.js";
import type { AnyRoute, AnyTool } from "./definition.js";
import { sessionTools } from "./session-tools.js";
import { SESSIONS_TOOLSET, type ToolsetInfo } from "./toolsets.js";

export {
  type HasHttp,
  HINTS,
  type HintPreset,
  type StatusHints,
  structuredBody,
  type VariantSpec,
  type VendorHttpToolSpec,
  type VendorTool,
  type VendorToolSpec,
  withStatusHint,
} from "./define.js";

export interface VendorConfig {
  toolsets: Record<string, ToolsetInfo>;
  /** Hints for statuses any tool of this vendor may get (a tool's own statusHints win). */
  statusHints?: StatusHints;
  /** The read tool that shows whether a write whose answer was lost was applied (a tool's own wins). */
  checkWith?: string;
}

/** One line of a vendor's table: a tool, or a tool with its REST route (`route(line, tool)`). */
export type TableEntry<C> = AnyTool<C> | AnyRoute<C>;

/** A vendor's tools and the REST routes that answer with them, from one table. */
export interface VendorTable<C> {
  tools: AnyTool<C>[];
  routes: AnyRoute<C>[];
}

export interface VendorBuilder<C> extends ToolMaker<C> {
  readonly toolsets: Readonly<Record<string, ToolsetInfo>>;
  /** The vendor-wide status hints (for vendor modules: withStatusHint(error, own, vendor.statusHints)). */
  readonly statusHints: Readonly<StatusHints>;
  /** Core's session-read/write/resize/signal/close/list, in this vendor's `sessions` toolset. */
  sessionTools(): AnyTool<C>[];
  /**
   * The vendor's table: one line per tool, in the order tools/list shows them; a tool the seeds
   * serve over REST is written as its route, `route("GET /v1/...", tool)`; a tool with two routes
   * has one more route line. A tool listed twice otherwise is refused.
   */
  table(entries: readonly TableEntry<C>[]): VendorTable<C>;
}

/**
 * One builder per vendor: `const incus = defineVendor<IncusClient>({ toolsets })`, then every tool
 * file is `export const x = incus.tool({...})`, with the client type and the handler's argument
 * type inferred. An unknown toolset fails at module load, so no test run can miss it.
 */
export function defineVendor<C>(config: VendorConfig): VendorBuilder<C> {
  const toolsets = Object.freeze({ ...config.toolsets });
  const checkToolset = (tool: string, toolset: string): void => {
    if (!Object.hasOwn(toolsets, toolset)) {
      throw new ConfigError(
        `Tool ${tool} names toolset "${toolset}", which is not one of: ${Object.keys(toolsets).join(", ")}.`,
      );
    }
  };
  return {
    toolsets,
    statusHints: Object.freeze({ ...config.statusHints }),
    ...toolMaker<C>({ checkToolset, statusHints: config.statusHints, checkWith: config.checkWith }),
    sessionTools() {
      checkToolset("session-*", SESSIONS_TOOLSET);
      return sessionTools<C>();
    },
    table: vendorTable,
  };
}

function vendorTable<C>(entries: readonly TableEntry<C>[]): VendorTable<C> {
  const tools: AnyTool<C>[] = [];
  const routes: AnyRoute<C>[] = [];
  for (const entry of entries) {
    const isRoute = !("handler" in entry);
    const tool = isRoute ? entry.tool : entry;
    // A tool the seed serves on two paths has a line per route; any other repeat is a mistake.
    if (!tools.includes(tool)) tools.push(tool);
    else if (!isRoute) throw new ConfigError(`Tool ${tool.name} is on two lines of its vendor's table.`);
    if (isRoute) routes.push(entry);
  }
  return { tools, routes };
}
