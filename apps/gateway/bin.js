#!/usr/bin/env node
// Committed launcher: turn on Node's on-disk compile cache before the bundle loads.
import module from "node:module";

module.enableCompileCache?.();
await import("./dist/cli.js");
