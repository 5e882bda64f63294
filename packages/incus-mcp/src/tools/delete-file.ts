import { z } from "zod";
import { incusCall, instanceArg, projectArg } from "../api.js";
import { incus } from "../builder.js";
import { filePathArg, fileTarget } from "../files.js";

export const deleteFile = incus.tool({
  name: "delete-file",
  title: "Delete file in instance",
  description: "Delete a file, symlink or empty directory in an instance; recursive deletes a directory tree.",
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
    await incusCall(ctx.client, {
      method: "DELETE",
      ...target,
      ...(args.recursive ? { headers: { "x-incus-force": "true" } } : {}),
      signal: ctx.signal,
    });
    return {
      text: `deleted ${args.path}${args.recursive ? " (recursively)" : ""} in ${args.instance}`,
      structured: { instance: args.instance, path: args.path, recursive: args.recursive, deleted: true },
    };
  },
});
