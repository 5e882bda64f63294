import { z } from "zod";
import { qovery } from "../builder.js";
import { NOT_FOUND, type Status } from "../lifecycle.js";
import { containerId } from "../schemas.js";
import { statusLine } from "../summary.js";

export const getContainerStatus = qovery.httpTool({
  name: "get-container-status",
  title: "Get container status",
  description:
    "State (DEPLOYED, DEPLOYING, DEPLOYMENT_ERROR, STOPPED…), whether the latest config runs, last deployment.",
  toolset: "containers",
  inputSchema: z.object({ containerId }),
  hints: "readOnly",
  request: { method: "GET", path: "/container/{containerId}/status", params: { containerId: "path" } },
  statusHints: NOT_FOUND,
  result(data) {
    const status = (data ?? {}) as Status;
    return { text: statusLine(status), structured: status };
  },
});
