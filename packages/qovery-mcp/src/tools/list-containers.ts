import { fillPath, pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { qovery } from "../builder.js";
import { containersPage, nameFilter, PAGE } from "../lists.js";
import { environmentId } from "../schemas.js";
import { results } from "../summary.js";

export const listContainers = qovery.tool({
  name: "list-containers",
  title: "List containers",
  description: "Containers of an environment: name, id, image:tag, state, cpu/memory, instances.",
  toolset: "containers",
  inputSchema: z.object({ environmentId, name: nameFilter, ...pagingArgs(PAGE.containers) }),
  hints: "readOnly",
  statusHints: { 404: "No environment with this environmentId" },
  // Two reads in parallel: the list has no state, the status endpoint has only ids and states.
  async handler(args, ctx) {
    const base = fillPath("/environment/{environmentId}/container", args);
    const [list, status] = await Promise.allSettled([
      ctx.client.http.json({ method: "GET", path: base, signal: ctx.signal }),
      ctx.client.http.json({ method: "GET", path: `${base}/status`, signal: ctx.signal }),
    ]);
    if (list.status === "rejected") throw list.reason;
    const states = new Map<string, string>();
    if (status.status === "fulfilled") {
      for (const s of results(status.value)) if (typeof s.id === "string") states.set(s.id, String(s.state ?? "?"));
    }
    return containersPage(list.value, states, args);
  },
});
