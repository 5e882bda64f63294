import { runCli } from "@infra-mcp/core";
import { portainerVendor } from "./index.js";

// The bin's entry: the command line and the environment are read here, once, and passed down.
void runCli(portainerVendor, process.argv.slice(2), process.env);
