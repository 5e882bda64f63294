import { checkToolList } from "@infra-mcp/core/testing/toolsnaps";
import { incusVendor } from "../src/index.js";

// Listing tools talks to no daemon: no gate needed.
checkToolList({
  vendor: incusVendor,
  snapshotDir: new URL("./__toolsnaps__/", import.meta.url),
  // About 270 B of every entry is fixed (name, title twice, four hints, `execution`, `$schema`).
  budget: 900,
  over: {
    "exec-in-instance": {
      max: 1445,
      why: "11 parameters (instance, command, stdin + encoding, env, cwd, uid, gid, project, timeout, output cap), each with the bounds the server enforces; dropping one drops a feature",
    },
    "open-exec-session": {
      max: 1179,
      why: "the same exec target (instance, env, cwd, uid, gid, project, command) plus cols/rows",
    },
  },
});
