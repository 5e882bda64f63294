import { errorText, pageFields, pageFooter, paginate, pagingArgs } from "@infra-mcp/core";
import { z } from "zod";
import { incus } from "../builder.js";
import type { RemoteInfo } from "../config.js";

interface Probe {
  answers: boolean | null;
  auth?: string;
  serverVersion?: string;
  error?: string;
}

export const listRemotes = incus.tool({
  name: "list-remotes",
  title: "List Incus remotes",
  description:
    "Remotes the `remote` argument can name (incus config.yml, INCUS_URL, local socket): address, auth type, project, default, and whether each answers now.",
  toolset: "instances",
  inputSchema: z.object({ probe: z.boolean().default(true), ...pagingArgs(50) }),
  hints: "readOnly",

  async handler(args, ctx) {
    const remotes = ctx.client.remotes;
    const page = paginate(remotes.list(), args);
    const probe = async (r: RemoteInfo): Promise<Probe> => {
      if (!args.probe || r.protocol !== "incus") return { answers: null };
      try {
        const body = await remotes.get(r.name).http.json<{
          metadata?: { auth?: string; environment?: { server_version?: string } };
        }>({ method: "GET", path: "/1.0", retry: false, signal: ctx.signal });
        return {
          answers: true,
          ...(body?.metadata?.auth ? { auth: body.metadata.auth } : {}),
          ...(body?.metadata?.environment?.server_version
            ? { serverVersion: body.metadata.environment.server_version }
            : {}),
        };
      } catch (error) {
        return { answers: false, error: errorText(error) };
      }
    };
    const items = await Promise.all(page.items.map(async (r) => ({ ...r, ...(await probe(r)) })));
    const lines = items.map((r) => {
      const state =
        r.answers === null
          ? r.protocol === "incus"
            ? ""
            : ` (${r.protocol} image server, not probed)`
          : r.answers
            ? ` answers (${r.auth ?? "?"}${r.serverVersion ? `, Incus ${r.serverVersion}` : ""})`
            : ` does not answer: ${r.error}`;
      return `${r.isDefault ? "* " : ""}${r.name} ${r.addr} auth=${r.authType}${r.project ? ` project=${r.project}` : ""}${state}`;
    });
    return {
      text: [...lines, pageFooter(page, "remotes")].join("\n"),
      structured: { defaultRemote: remotes.defaultName, remotes: items, ...pageFields(page) },
    };
  },
});
