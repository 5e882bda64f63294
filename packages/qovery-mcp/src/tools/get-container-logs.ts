import { z } from "zod";
import { qovery } from "../builder.js";
import { NOT_FOUND } from "../lifecycle.js";
import { containerId, int } from "../schemas.js";
import { results } from "../summary.js";

/** A log message longer than this is cut in the text (the model rarely needs a 1 MB stack dump). */
const MAX_MESSAGE = 2000;

export const getContainerLogs = qovery.httpTool({
  name: "get-container-logs",
  title: "Get container logs",
  description: "Last lines (Qovery keeps 1000), oldest first: time, pod, message.",
  toolset: "logs",
  inputSchema: z.object({ containerId, lines: int(1, 1000).default(100) }),
  hints: "readOnly",
  // `lines` is applied here: Qovery's endpoint takes no count.
  request: { method: "GET", path: "/container/{containerId}/log", params: { containerId: "path" } },
  statusHints: NOT_FOUND,
  result(data, args) {
    const all = results(data).sort((a, b) => String(a.created_at ?? "").localeCompare(String(b.created_at ?? "")));
    const tail = all.slice(-args.lines);
    const text = tail.map((l) => {
      const msg = String(l.message ?? "").replace(/\r?\n$/, "");
      const cut =
        msg.length > MAX_MESSAGE ? `${msg.slice(0, MAX_MESSAGE)}… [${msg.length - MAX_MESSAGE} chars cut]` : msg;
      return `${String(l.created_at ?? "?")} ${String(l.pod_name ?? "?")} ${cut}`;
    });
    const head =
      all.length > tail.length
        ? `last ${tail.length} of ${all.length} lines (raise lines for older ones)`
        : `${all.length} lines`;
    return {
      text: all.length ? `${head}:\n${text.join("\n")}` : "No logs.",
      structured: { results: tail, total: all.length },
    };
  },
});
