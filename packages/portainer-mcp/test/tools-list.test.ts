import { checkToolList } from "@infra-mcp/core/testing/toolsnaps";
import { portainerVendor } from "../src/index.js";

// The three websocket tools cannot reach 900 bytes without dropping arguments (see the README's
// "Context cost"), so their caps pin today's sizes (with the 28 B `dryRun` every write tool lists);
// on average the table stays within 900.
checkToolList({
  vendor: portainerVendor,
  snapshotDir: new URL("./__toolsnaps__/", import.meta.url),
  budget: 900,
  averageBudget: 900,
  over: {
    "execute-websocket": {
      max: 1910,
      why: "one-shot and session exec in one tool: container or execId, argv, stdin + encoding, EOF and stderr switches, tty, user, workdir, env, node, timeout, output cap, cols/rows",
    },
    "execute-websocket-pod": {
      max: 1406,
      why: "namespace/pod/container names, the space-split command and its rules, stdin + encoding, timeout, output cap, session",
    },
    "attach-websocket": {
      max: 1268,
      why: "container, node, stdin + encoding, listen time, output cap, session, and what attaching does (no earlier logs)",
    },
    "get-container-logs": {
      max: 1250,
      why: "twelve arguments: streams, tail, since/until, timestamps, bound, follow",
    },
    "get-pod-logs": { max: 1100, why: "nine arguments: pod, container, previous, tail, since, timestamps, bound" },
  },
});
