import { pageFields, pageFooter, paginate, pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { incusCall, instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";

interface Snapshot {
  name: string;
  created_at?: string;
  expires_at?: string;
  stateful?: boolean;
  description?: string;
}

export const listSnapshots = incus.tool({
  name: "list-snapshots",
  title: "List instance snapshots",
  description: "Snapshots of an instance, oldest first: name, creation and expiry time, stateful.",
  toolset: "snapshots",
  inputSchema: z.object({ instance: instanceArg, project: projectArg, ...pagingArgs(50) }),
  hints: "readOnly",

  async handler(args, ctx) {
    const res = await incusCall<Snapshot[]>(ctx.client, {
      method: "GET",
      path: instancePath(args.instance, "/snapshots"),
      query: { ...projectQuery(ctx.client, args.project), recursion: "1" },
      signal: ctx.signal,
    });
    const all = (res.metadata ?? [])
      .map((s) => ({
        name: s.name.replace(/^.*\//, ""),
        createdAt: s.created_at ?? "",
        ...(s.expires_at && !s.expires_at.startsWith("0001") ? { expiresAt: s.expires_at } : {}),
        stateful: Boolean(s.stateful),
      }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const page = paginate(all, args);
    const lines = page.items.map(
      (s) =>
        `${s.name} created ${s.createdAt}${s.expiresAt ? ` expires ${s.expiresAt}` : ""}${s.stateful ? " (stateful)" : ""}`,
    );
    return {
      text: [...lines, pageFooter(page, "snapshots")].join("\n"),
      structured: { instance: args.instance, snapshots: page.items, ...pageFields(page) },
    };
  },
});
