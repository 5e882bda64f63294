import { decodeBytes, InputError, UpstreamProtocolError } from "@infra-mcp/core";
import { z } from "zod";
import { instanceArg, isEnvelope, projectArg } from "../api.js";
import { incus } from "../builder.js";
import { describeMeta, fileMeta, filePathArg, fileTarget, MAX_FILE_BYTES } from "../files.js";

export const pullFile = incus.tool({
  name: "pull-file",
  title: "Read file from instance",
  description:
    "Read a file from an instance with its uid, gid and mode: UTF-8 text, else base64. Past maxBytes (up to 16 MiB) it is cut and marked truncated. A directory lists its entries.",
  toolset: "files",
  inputSchema: z.object({
    instance: instanceArg,
    path: filePathArg,
    maxBytes: z.number().int().min(1).max(MAX_FILE_BYTES).default(1_048_576),
    project: projectArg,
  }),
  hints: "readOnly",

  async handler(args, ctx) {
    const target = fileTarget(ctx.client, args);
    const res = await ctx.client.http.bytes({
      method: "GET",
      ...target,
      headers: { accept: "*/*" },
      maxBytes: args.maxBytes,
      overflow: "truncate",
      signal: ctx.signal,
    });
    const meta = fileMeta(res.headers);
    if (meta.type === "directory") {
      if (res.truncated) throw new InputError("maxBytes", `the listing of ${args.path} is larger; raise maxBytes`);
      let body: unknown;
      try {
        body = JSON.parse(res.data.toString("utf8"));
      } catch {
        body = undefined;
      }
      if (!isEnvelope(body) || !Array.isArray(body.metadata)) {
        throw new UpstreamProtocolError(`GET files?path=${args.path}: Incus sent a directory without its listing`);
      }
      const entries = (body.metadata as unknown[]).map(String).sort();
      return {
        text: `${args.path}: ${describeMeta(meta)}, ${entries.length} entries\n${entries.join("\n")}`,
        structured: { instance: args.instance, path: args.path, ...meta, entries },
      };
    }
    const length = Number(res.headers.get("content-length"));
    const size =
      Number.isFinite(length) && res.headers.has("content-length") ? length : res.truncated ? null : res.data.length;
    const decoded = decodeBytes(res.data, res.truncated);
    const cut = res.truncated
      ? `; first ${res.data.length} bytes shown (truncated: raise maxBytes, up to ${MAX_FILE_BYTES})`
      : "";
    return {
      text: `${args.path}: ${describeMeta(meta)}, ${size ?? "more than maxBytes"} bytes${cut}${decoded.encoding === "base64" ? " (base64)" : ""}\n${decoded.text}`,
      structured: {
        instance: args.instance,
        path: args.path,
        ...meta,
        size,
        content: decoded.text,
        encoding: decoded.encoding,
        truncated: res.truncated,
      },
    };
  },
});
