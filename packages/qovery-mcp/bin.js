#!/usr/bin/env node
// Committed launcher, the same in every bin package: runs the server bundle through core's launch,
// which keeps a V8 code cache of start-up in Node's compile-cache directory (cold start is a
// benchmark target; see tsup.shared.ts and BENCHMARKS.md).
import { launch } from "./dist/launch.js";

launch(new URL("./dist/cli.cjs", import.meta.url));
