import { runCli } from "@infra-mcp/core";
import { portainerVendor } from "./index.js";

void runCli(portainerVendor);
