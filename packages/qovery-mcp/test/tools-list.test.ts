import { checkToolList } from "@infra-mcp/core/testing/toolsnaps";
import { qoveryVendor } from "../src/index.js";

checkToolList({
  vendor: qoveryVendor,
  snapshotDir: new URL("./__toolsnaps__/", import.meta.url),
  budget: 900,
  averageBudget: 900,
  over: {
    "create-container": { max: 5400, why: "the whole ContainerRequest body of Qovery's OpenAPI spec" },
    "open-container-shell": {
      max: 1100,
      why: "argv, pod, container, stdin, session, timeout, output cap and TTY size",
    },
  },
});
