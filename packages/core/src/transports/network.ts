import type { CliOptions } from "../cli.js";
import { ConfigError } from "../errors.js";
import type { VendorDefinition } from "../vendor.js";

/** Streamable HTTP (/mcp) and the REST surface; see the transports issue. */
export async function serveNetwork(_vendors: readonly VendorDefinition<unknown>[], _opts: CliOptions): Promise<void> {
  throw new ConfigError("--http and --rest are not available yet in this version.");
}
