import { checkToolList } from "@infra-mcp/core/testing/toolsnaps";
import { incusVendor } from "../src/index.js";

// Listing tools talks to no daemon: no gate needed.
checkToolList({
  vendor: incusVendor,
  snapshotDir: new URL("./__toolsnaps__/", import.meta.url),
  // About 270 B of every entry is fixed (name, title twice, four hints, `execution`, `$schema`).
  budget: 900,
  // Every write tool lists `"dryRun":{"type":"boolean"}` (28 B): the caps below include it.
  over: {
    "exec-in-instance": {
      max: 1500,
      why: "12 parameters (instance, command, stdin + encoding, env, cwd, uid, gid, project, timeout, output cap, remote), each with the bounds the server enforces; dropping one drops a feature",
    },
    "open-exec-session": {
      max: 1234,
      why: "the same exec target (instance, env, cwd, uid, gid, project, command, remote) plus cols/rows",
    },
    "get-websocket-stream": {
      max: 926,
      why: "was at the target before every tool gained the shared `remote` argument (26 B)",
    },
    "create-snapshot": {
      max: 922,
      why: "was under the target before every write tool gained `dryRun` (28 B)",
    },
    "push-file": {
      max: 1183,
      why: "11 parameters (instance, path, content + encoding, type, append, uid, gid, mode, project, remote): owner and mode settable is the point of the tool",
    },
  },
});
