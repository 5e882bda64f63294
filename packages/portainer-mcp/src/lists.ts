import { pageFields, pageFooter, paginate, UpstreamProtocolError } from "@infra-mcp/core";
import { z } from "zod";
import type { PortainerClient } from "./config.js";
import { dockerPath } from "./portainer.js";

/**
 * Paging and filters of the list tools. Docker filters containers itself (`filters` JSON: name,
 * status); Portainer filters environments (`search`). Neither list is paged upstream in a way both
 * Portainer versions share, so pages are cut here from the filtered list, sorted so that offsets
 * stay stable between calls, and `total` is exact.
 */

/** Default page sizes: about 2 KB of text per page at the usual line length of each list. */
export const PAGE = { environments: 40, containers: 25 } as const;

export const containerFilters = {
  name: z.string().optional().describe("Only names matching this"),
  status: z.string().optional().describe("Only this state (running…)"),
};

interface Container {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
}

export async function containersPage(
  client: PortainerClient,
  args: { endpointId: number; name?: string | undefined; status?: string | undefined; limit: number; offset: number },
  signal: AbortSignal,
) {
  const filters: Record<string, string[]> = {};
  if (args.name) filters.name = [args.name];
  if (args.status) filters.status = [args.status.toLowerCase()];
  const data = await client.http.json<Container[]>({
    method: "GET",
    path: dockerPath(args.endpointId, "containers/json"),
    query: { all: "1", ...(Object.keys(filters).length ? { filters: JSON.stringify(filters) } : {}) },
    signal,
  });
  const all = (data ?? [])
    .map((c) => ({
      id: c.Id,
      name: (c.Names?.[0] ?? "").replace(/^\//, ""),
      image: c.Image ?? "",
      state: c.State ?? "",
      status: c.Status ?? "",
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const page = paginate(all, args);
  const lines = page.items.map((c) => `${c.id.slice(0, 12)}\t${c.name}\t${c.image}\t${c.state}`);
  return {
    text: [...lines, pageFooter(page, "containers")].join("\n"),
    structured: { containers: page.items, ...pageFields(page) },
  };
}

interface Endpoint {
  Id: number;
  Name: string;
  Type: number;
  URL?: string;
  Status?: number;
}

// Portainer's EndpointType values.
const TYPES: Record<number, string> = {
  1: "docker",
  2: "docker-agent",
  3: "azure",
  4: "docker-edge-agent",
  5: "kubernetes-local",
  6: "kubernetes-agent",
  7: "kubernetes-edge-agent",
};

export async function environmentsPage(
  client: PortainerClient,
  args: { search?: string | undefined; limit: number; offset: number },
  signal: AbortSignal,
) {
  const data = await client.http.json<Endpoint[]>({
    method: "GET",
    path: "/api/endpoints",
    query: args.search ? { search: args.search } : {},
    signal,
  });
  if (!Array.isArray(data)) {
    throw new UpstreamProtocolError("GET /api/endpoints answered something other than a list of environments.");
  }
  const all = data
    .map((e) => ({
      id: e.Id,
      name: e.Name,
      type: TYPES[e.Type] ?? `type-${e.Type}`,
      status: e.Status === 1 ? "up" : e.Status === 2 ? "down" : String(e.Status ?? "unknown"),
      ...(e.URL ? { url: e.URL } : {}),
    }))
    .sort((a, b) => a.id - b.id);
  const page = paginate(all, args);
  const lines = page.items.map((e) => `${e.id}\t${e.name}\t${e.type}\t${e.status}`);
  return {
    text: [...lines, pageFooter(page, "environments")].join("\n"),
    structured: { environments: page.items, ...pageFields(page) },
  };
}
