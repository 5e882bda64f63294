import { decodeBytes } from "@infra-mcp/core";
import { z } from "zod";
import { instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";
import { WHOLE_READ_CAP } from "../logs.js";

export const getConsoleLog = incus.tool({
  name: "get-console-log",
  title: "Read instance console log",
  description:
    "What the instance's console printed (boot messages, init output) since the last read: Incus hands each byte out once. At most the last maxBytes are returned; older ones are dropped and counted.",
  toolset: "instances",
  inputSchema: z.object({
    instance: instanceArg,
    project: projectArg,
    maxBytes: z.number().int().min(1).max(1_048_576).default(65_536),
  }),
  // Not read-only: reading drains the console buffer on the daemon (a second read sees only newer output).
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },

  async handler(args, ctx) {
    // Served without Range support (and labelled JSON): read it whole, bounded, keep the tail.
    const res = await ctx.client.http.bytes({
      method: "GET",
      path: instancePath(args.instance, "/console"),
      query: { ...projectQuery(ctx.client, args.project), type: "log" },
      headers: { accept: "*/*" },
      maxBytes: WHOLE_READ_CAP,
      overflow: "truncate",
      retry: false,
      signal: ctx.signal,
    });
    const total = res.data.length;
    const tail = res.data.subarray(Math.max(0, total - args.maxBytes));
    const dropped = total - tail.length;
    const decoded = decodeBytes(tail, true);
    const head =
      total === 0
        ? `${args.instance} console: nothing new since the last read`
        : `${args.instance} console: ${tail.length} bytes${dropped ? ` (the ${dropped} bytes before them were dropped; they are gone from the daemon too, so raise maxBytes next time)` : ""}${res.truncated ? ` (more than ${WHOLE_READ_CAP} bytes were waiting; the rest was not read)` : ""}${decoded.encoding === "base64" ? " (base64)" : ""}`;
    return {
      text: `${head}\n${decoded.text}`,
      structured: {
        instance: args.instance,
        content: decoded.text,
        encoding: decoded.encoding,
        totalBytes: total,
        droppedBytes: dropped,
        truncated: dropped > 0 || res.truncated,
      },
    };
  },
});
