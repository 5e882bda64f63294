import type { VendorDefinition } from "@infra-mcp/core";
import { incusVendor } from "incus-mcp";
import { portainerVendor } from "portainer-mcp";
import { qoveryVendor } from "qovery-mcp";

/** Every vendor the gateway serves; each is mounted at /<name without -mcp>/mcp. */
export const vendors: VendorDefinition<unknown>[] = [portainerVendor, incusVendor, qoveryVendor];
