import { runCli } from "@infra-mcp/core";
import { incusVendor } from "./index.js";

void runCli(incusVendor);
