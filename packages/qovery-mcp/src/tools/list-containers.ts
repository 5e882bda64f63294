import { defineTool, fillPath, pagingArgs, READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import type { QoveryClient } from "../config.js";
import { containersPage, nameFilter, PAGE } from "../lists.js";
import { withHint } from "../qovery-tool.js";
import { environmentId } from "../schemas.js";
import { results } from "../summary.js";

const inputSchema = z.object({ environmentId, name: nameFilter, ...pagingArgs(PAGE.containers) });
const title = "List containers";
const description = "Containers of an environment: name, id, image:tag, state, cpu/memory, instances.";
const annotations = READ_ONLY;

const hints = { 404: "No environment with this environmentId" };

export const listContainers = defineTool<QoveryClient, typeof inputSchema>({
  name: "list-containers",
  title,
  description,
  inputSchema,
  annotations,
  rest: [
    { method: "GET", path: "/v1/environment/{environmentid}/container", pathArgs: { environmentid: "environmentId" } },
  ],
  // Two reads in parallel: the list has no state, the status endpoint has only ids and states.
  async handler(args, ctx) {
    const base = fillPath("/environment/{environmentId}/container", args);
    const [list, status] = await Promise.allSettled([
      ctx.client.http.json({ method: "GET", path: base, signal: ctx.signal }),
      ctx.client.http.json({ method: "GET", path: `${base}/status`, signal: ctx.signal }),
    ]);
    if (list.status === "rejected") throw withHint(list.reason, hints);
    const states = new Map<string, string>();
    if (status.status === "fulfilled") {
      for (const s of results(status.value)) if (typeof s.id === "string") states.set(s.id, String(s.state ?? "?"));
    }
    return containersPage(list.value, states, args);
  },
});
