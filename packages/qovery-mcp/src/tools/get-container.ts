import { z } from "zod";
import { qovery } from "../builder.js";
import { NOT_FOUND } from "../lifecycle.js";
import { containerId } from "../schemas.js";
import { containerLine } from "../summary.js";

type Obj = Record<string, unknown>;

export const getContainer = qovery.httpTool({
  name: "get-container",
  title: "Get container",
  description: "Configuration: image, resources, ports, environment id.",
  toolset: "containers",
  inputSchema: z.object({ containerId }),
  hints: "readOnly",
  request: { method: "GET", path: "/container/{containerId}", params: { containerId: "path" } },
  statusHints: NOT_FOUND,
  result(data) {
    const c = (data ?? {}) as Obj;
    const env = (c.environment as Obj | undefined)?.id;
    const ports = Array.isArray(c.ports)
      ? (c.ports as Obj[]).map((p) => `${p.internal_port}${p.publicly_accessible ? " public" : ""}`).join(", ")
      : "";
    const extra = [env ? `environment ${env}` : "", ports ? `ports ${ports}` : ""].filter(Boolean).join("; ");
    return { text: `${containerLine(c, "")}${extra ? `\n${extra}` : ""}`.replace(/ {2}/, " "), structured: c };
  },
});
