#!/usr/bin/env node
// Committed launcher: checks the Node version, then turns on Node's on-disk compile cache before
// the bundle loads. The check comes first and is written for old Nodes: on Node 20 the servers
// start, then fail every upstream call inside their HTTP client, which is no way to learn the cause.
import module from "node:module";

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  const msg = `infra-mcp-gateway needs Node >= 22; this is Node ${process.version} (${process.execPath}). Install Node 22 or later (https://nodejs.org) and run it again.`;
  process.stderr.write(
    `${JSON.stringify({ t: new Date().toISOString(), level: "error", msg, name: "infra-mcp-gateway" })}\n`,
  );
  process.exitCode = 2;
} else {
  module.enableCompileCache?.();
  await import("./dist/cli.js");
}
