import { runCli } from "@infra-mcp/core";
import { qoveryVendor } from "./index.js";

void runCli(qoveryVendor);
