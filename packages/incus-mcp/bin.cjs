#!/usr/bin/env node
// Committed launcher, the same in every bin package: checks the Node version, then runs the server
// bundle through core's launch, which keeps a V8 code cache of start-up in Node's compile-cache
// directory (cold start is a benchmark target; see tsup.shared.ts and BENCHMARKS.md).
// CommonJS, like the launcher and the bundle it loads: an ES module entry makes Node initialise its
// ES module loader first (~11 ms of every start), and nothing in a start needs it.
// The check comes first and is written for old Nodes: on Node 20 the bundle starts and lists its
// tools, then fails every upstream call inside its HTTP client, which is no way to learn the cause.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  const msg = `incus-mcp needs Node >= 22; this is Node ${process.version} (${process.execPath}). Install Node 22 or later (https://nodejs.org) and run it again.`;
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level: "error", msg, name: "incus-mcp" })}\n`);
  process.exitCode = 2;
} else {
  const path = require("node:path");
  require("./dist/launch.cjs").launch(path.join(__dirname, "dist", "cli.cjs"));
}
