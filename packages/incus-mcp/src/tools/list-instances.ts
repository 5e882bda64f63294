import { z } from "zod";
import { incusCall, projectArg, projectQuery } from "../api.js";
import { incus } from "../builder.js";

interface Instance {
  name: string;
  status: string;
  type: string;
  project?: string;
  location?: string;
  description?: string;
  config?: Record<string, string>;
}

export const listInstances = incus.tool({
  name: "list-instances",
  title: "List instances",
  description: "List containers and VMs with status, type, project and image, to find the name exec-in-instance needs.",
  toolset: "instances",
  inputSchema: z.object({
    project: projectArg,
    "all-projects": z.boolean().default(false).describe("Instances of every project"),
  }),
  hints: "readOnly",

  async handler(args, ctx) {
    const res = await incusCall<Instance[]>(ctx.client, {
      method: "GET",
      path: "/1.0/instances",
      query: {
        recursion: "1",
        ...projectQuery(ctx.client, args.project),
        ...(args["all-projects"] ? { "all-projects": "true" } : {}),
      },
      signal: ctx.signal,
    });
    const instances = (res.metadata ?? []).map((i) => ({
      name: i.name,
      status: i.status,
      type: i.type,
      project: i.project ?? "default",
      image: i.config?.["image.description"] ?? "",
      ...(i.location && i.location !== "none" ? { location: i.location } : {}),
    }));
    const text = instances.length
      ? instances
          .map((i) => `${i.name} ${i.status} ${i.type} project=${i.project}${i.image ? ` (${i.image})` : ""}`)
          .join("\n")
      : "no instances";
    return { text, structured: { instances } };
  },
});
