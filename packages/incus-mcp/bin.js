#!/usr/bin/env node
// Committed launcher: turn on Node's on-disk compile cache before the bundle loads, so the
// second and later starts skip parsing the bundle (cold start is a benchmark target).
import module from "node:module";

module.enableCompileCache?.();
await import("./dist/cli.js");
