import { InputError } from "@infra-mcp/core";
import { z } from "zod";
import { incusCall, instanceArg, projectArg } from "../api.js";
import { incus } from "../builder.js";
import { deleteTree, filePathArg, fileTarget } from "../files.js";

export const deleteFile = incus.tool({
  name: "delete-file",
  title: "Delete file in instance",
  description:
    "Delete a file, symlink or empty directory in an instance; recursive deletes a directory tree (up to 10000 entries; symlinks are not followed).",
  toolset: "files",
  inputSchema: z.object({
    instance: instanceArg,
    path: filePathArg,
    recursive: z.boolean().default(false),
    project: projectArg,
  }),
  hints: "destructiveIdempotent",
  confirm: (args) => `delete ${args.recursive ? "the tree at " : ""}${args.path} in instance ${args.instance}`,

  async handler(args, ctx) {
    const target = fileTarget(ctx.client, args);
    if (args.recursive && /^\/+$/.test(args.path)) throw new InputError("path", "a recursive delete of / is refused");
    let removed = 1;
    if (args.recursive) removed = await deleteTree(ctx.client, target, ctx.signal);
    else await incusCall(ctx.client, { method: "DELETE", ...target, signal: ctx.signal });
    return {
      text: `deleted ${args.path}${args.recursive ? ` (${removed} entries)` : ""} in ${args.instance}`,
      structured: { instance: args.instance, path: args.path, recursive: args.recursive, removed },
    };
  },
});
