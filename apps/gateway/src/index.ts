import type { NetworkHandle, NetworkOptions } from "@infra-mcp/core/network";
import { serveNetwork } from "@infra-mcp/core/network";
import { vendors } from "./vendors.js";

export { vendors };

export type GatewayOptions = Omit<NetworkOptions, "mount" | "tools">;

/**
 * Serves all three vendors: MCP at /portainer/mcp, /incus/mcp and /qovery/mcp on one port, and
 * every vendor's REST routes on another (the seeds' paths do not collide; a collision fails start).
 */
export function startGateway(options: GatewayOptions): Promise<NetworkHandle> {
  return serveNetwork(vendors, { ...options, mount: "prefixed" });
}
