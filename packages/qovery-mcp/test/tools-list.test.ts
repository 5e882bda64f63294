import { checkToolList } from "@infra-mcp/core/testing/toolsnaps";
import { qoveryVendor } from "../src/index.js";

checkToolList({
  vendor: qoveryVendor,
  snapshotDir: new URL("./__toolsnaps__/", import.meta.url),
  budget: 900,
  averageBudget: 900,
  over: {
    "create-container": {
      max: 3000,
      why: "every field of Qovery's ContainerRequest; nested bodies listed as one line each (floor with every field named and nothing else: 1,907 B)",
    },
    "open-container-shell": {
      max: 1100,
      why: "argv, pod, container, stdin, session, timeout, output cap and TTY size",
    },
  },
});
