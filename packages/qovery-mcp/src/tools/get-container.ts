import { z } from "zod";
import { qovery } from "../builder.js";
import { containerPath, NOT_FOUND } from "../lifecycle.js";
import { containerId } from "../schemas.js";
import { containerLine } from "../summary.js";

type Obj = Record<string, unknown>;

export const getContainer = qovery.tool({
  name: "get-container",
  title: "Get container",
  description: "Configuration: image, resources, ports, environment id.",
  toolset: "containers",
  inputSchema: z.object({ containerId }),
  hints: "readOnly",
  statusHints: NOT_FOUND,
  async handler(args, ctx) {
    const c: Obj =
      (await ctx.client.http.json<Obj>({
        method: "GET",
        path: containerPath(args.containerId),
        signal: ctx.signal,
      })) ?? {};
    const env = (c.environment as Obj | undefined)?.id;
    const ports = Array.isArray(c.ports)
      ? (c.ports as Obj[]).map((p) => `${p.internal_port}${p.publicly_accessible ? " public" : ""}`).join(", ")
      : "";
    const extra = [env ? `environment ${env}` : "", ports ? `ports ${ports}` : ""].filter(Boolean).join("; ");
    return { text: `${containerLine(c, "")}${extra ? `\n${extra}` : ""}`.replace(/ {2}/, " "), structured: c };
  },
});
