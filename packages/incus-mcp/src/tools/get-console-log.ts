import { z } from "zod";
import { instanceArg, instancePath, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";
import { CONSOLE_READ_CAP, describeWindow, sliceWindow, windowArgs } from "../logs.js";

export const getConsoleLog = incus.tool({
  name: "get-console-log",
  title: "Read instance console log",
  description:
    "The instance's console buffer (boot messages, what init printed), at most maxBytes: the tail unless offset is given; says which bytes it holds and the offsets of the rest.",
  toolset: "instances",
  inputSchema: z.object({ instance: instanceArg, project: projectArg, ...windowArgs }),
  hints: "readOnly",

  async handler(args, ctx) {
    // Incus serves the console buffer without Range support (and labels it JSON): read it whole,
    // bounded, and cut the window here.
    const res = await ctx.client.http.bytes({
      method: "GET",
      path: instancePath(args.instance, "/console"),
      query: { ...projectQuery(ctx.client, args.project), type: "log" },
      headers: { accept: "*/*" },
      maxBytes: CONSOLE_READ_CAP,
      overflow: "truncate",
      signal: ctx.signal,
    });
    const out = describeWindow(sliceWindow(res.data, args.offset, args.maxBytes), `${args.instance} console`);
    return { text: out.text, structured: { instance: args.instance, ...out.structured } };
  },
});
