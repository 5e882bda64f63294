import { InputError } from "@infra-mcp/core";
import { z } from "zod";
import { instanceArg, projectArg } from "../api.js";
import { incus } from "../builder.js";
import { describeMeta, fileMeta, filePathArg, fileTarget, MAX_FILE_BYTES } from "../files.js";

const id = z.number().int().min(0).max(4_294_967_294).optional();

export const pushFile = incus.tool({
  name: "push-file",
  title: "Write file into instance",
  description:
    "Create or replace a file (or directory, or symlink: content = target) in an instance, up to 16 MiB. An existing file keeps uid, gid, mode unless given; new ones get root 0644.",
  toolset: "files",
  inputSchema: z.object({
    instance: instanceArg,
    path: filePathArg,
    content: z.string().default(""),
    encoding: z.enum(["utf8", "base64"]).default("utf8"),
    type: z.enum(["file", "directory", "symlink"]).default("file"),
    append: z.boolean().default(false),
    uid: id,
    gid: id,
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, "octal like 0644")
      .optional(),
    project: projectArg,
  }),
  hints: "destructive",
  confirm: (args) => `${args.append ? "append to" : "write"} ${args.type} ${args.path} in instance ${args.instance}`,

  async handler(args, ctx) {
    const target = fileTarget(ctx.client, args);
    const bytes = Buffer.from(args.content, args.encoding === "base64" ? "base64" : "utf8");
    if (bytes.length > MAX_FILE_BYTES) {
      throw new InputError("content", `is ${bytes.length} bytes; the limit is ${MAX_FILE_BYTES} (16 MiB)`);
    }
    if (args.type === "directory" && bytes.length) throw new InputError("content", "a directory takes no content");
    if (args.type === "symlink" && !bytes.length) throw new InputError("content", "a symlink needs its target");
    const headers: Record<string, string> = {
      "x-incus-type": args.type,
      "x-incus-write": args.append ? "append" : "overwrite",
    };
    if (args.uid !== undefined) headers["x-incus-uid"] = String(args.uid);
    if (args.gid !== undefined) headers["x-incus-gid"] = String(args.gid);
    if (args.mode !== undefined) headers["x-incus-mode"] = args.mode.padStart(4, "0");
    await ctx.client.http.bytes({
      method: "POST",
      ...target,
      headers,
      rawBody: bytes,
      maxBytes: 65_536,
      retry: false,
      signal: ctx.signal,
    });
    // Read back what the file is now (owner and mode kept or set), so the answer is the truth.
    const head = await ctx.client.http.bytes({ method: "HEAD", ...target, maxBytes: 1, signal: ctx.signal });
    const meta = fileMeta(head.headers);
    return {
      text: `${args.append ? "appended" : "wrote"} ${bytes.length} bytes to ${args.path} in ${args.instance}: now ${describeMeta(meta)}`,
      structured: { instance: args.instance, path: args.path, bytesWritten: bytes.length, ...meta },
    };
  },
});
