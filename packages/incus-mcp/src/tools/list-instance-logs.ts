import { pageFields, pageFooter, paginate, pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { incusCall, instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";

export const listInstanceLogs = incus.tool({
  name: "list-instance-logs",
  title: "List instance log files",
  description: "Log files of an instance (lxc.log, console, exec output records), to read with get-instance-log.",
  toolset: "instances",
  inputSchema: z.object({ instance: instanceArg, project: projectArg, ...pagingArgs(50) }),
  hints: "readOnly",

  async handler(args, ctx) {
    const res = await incusCall<string[]>(ctx.client, {
      method: "GET",
      path: instancePath(args.instance, "/logs"),
      query: projectQuery(ctx.client, args.project),
      signal: ctx.signal,
    });
    const files = (res.metadata ?? []).map((u) => String(u).replace(/^.*\/logs\//, "")).sort();
    const page = paginate(files, args);
    return {
      text: `${page.items.join("\n")}${page.items.length ? "\n" : ""}${pageFooter(page, "log files")}`,
      structured: { instance: args.instance, files: page.items, ...pageFields(page) },
    };
  },
});
