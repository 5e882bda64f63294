import { pageFields, pageFooter, paginate, pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { qovery } from "../builder.js";
import { NOT_FOUND } from "../lifecycle.js";
import { containerId } from "../schemas.js";
import { results } from "../summary.js";

const time = (d: Record<string, unknown>): string => String(d.created_at ?? "");

export const listContainerDeployments = qovery.httpTool({
  name: "list-container-deployments",
  title: "List container deployments",
  description: "Newest first (Qovery keeps 20): time, state, image:tag, id.",
  toolset: "deployments",
  inputSchema: z.object({ containerId, ...pagingArgs(10, 100) }),
  hints: "readOnly",
  request: { method: "GET", path: "/container/{containerId}/deploymentHistory", params: { containerId: "path" } },
  statusHints: NOT_FOUND,
  result(data, args) {
    // ISO 8601 timestamps sort as strings; Qovery's order is not documented, so sort here.
    const all = results(data).sort((a, b) => time(b).localeCompare(time(a)));
    const page = paginate(all, args);
    const lines = page.items.map(
      (d) =>
        `- ${time(d)} ${String(d.status ?? "?")} ${String(d.image_name ?? "?")}:${String(d.tag ?? "?")} (${String(d.id ?? "?")})`,
    );
    return {
      text: [...lines, pageFooter(page, "deployments")].join("\n"),
      structured: { results: page.items, ...pageFields(page) },
    };
  },
});
