import { encodePathSegment } from "@infra-mcp/core";
import { z } from "zod";
import { instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";
import { describeWindow, readLogWindow, windowArgs } from "../logs.js";

export const getInstanceLog = incus.tool({
  name: "get-instance-log",
  title: "Read instance log file",
  description:
    "Read one log file of an instance (names from list-instance-logs), at most maxBytes: the tail unless offset is given; the answer says which bytes it holds and the offsets of the rest.",
  toolset: "instances",
  inputSchema: z.object({ instance: instanceArg, file: z.string().min(1), project: projectArg, ...windowArgs }),
  hints: "readOnly",

  async handler(args, ctx) {
    const path = instancePath(args.instance, `/logs/${encodePathSegment("file", args.file)}`);
    const w = await readLogWindow(ctx.client, path, projectQuery(ctx.client, args.project), args, ctx.signal);
    const out = describeWindow(w, `${args.instance} ${args.file}`);
    return { text: out.text, structured: { instance: args.instance, file: args.file, ...out.structured } };
  },
});
