import { InputError, type Page, pageFields, pageFooter, paginate } from "@infra-mcp/core";
import { z } from "zod";
import { describeOperation, type IncusOperation, idsByStatus, incusCall, projectQuery } from "./api.js";
import type { IncusClient } from "./config.js";

/**
 * The list tools' paging and filters. Incus filters instances server-side (`filter=`); operations
 * have no server filter, so their status filter runs here. Neither list is paged by Incus, so
 * every page is cut from the (filtered) full list, and `total` is exact. Incus lists operations in
 * a different order on every call (a Go map), so lists are sorted before paging: without that,
 * offset=K of the next call skips and repeats items at random.
 */

/** Default page sizes: about 2 KB of text per page at the usual line length of each list. */
export const PAGE = { operationIds: 50, operations: 12, instances: 30 } as const;

export const statusFilter = z.string().optional().describe("Only this status");

export const instanceFilters = {
  name: z.string().optional().describe("Only names matching this regex"),
  status: statusFilter,
};

/** Incus filter values: one word, so the `filter=` expression cannot be broken out of. */
function filterValue(field: string, value: string): string {
  if (!/^[^\s"'()]+$/.test(value)) throw new InputError(field, "must be one word (no spaces, quotes or parentheses)");
  return value;
}

interface ListArgs {
  project?: string | undefined;
  "all-projects": boolean;
}

function listQuery(client: IncusClient, args: ListArgs): Record<string, string> {
  return { ...projectQuery(client, args.project), ...(args["all-projects"] ? { "all-projects": "true" } : {}) };
}

const sameStatus = (want: string | undefined) => (status: string) =>
  want === undefined || status.toLowerCase() === want.toLowerCase();

/** get-operations: ids grouped by status, one page of them. */
export async function operationIdsPage(
  client: IncusClient,
  args: ListArgs & { status?: string | undefined; limit: number; offset: number },
  signal: AbortSignal,
) {
  const res = await incusCall<unknown>(client, {
    method: "GET",
    path: "/1.0/operations",
    query: listQuery(client, args),
    signal,
  });
  const keep = sameStatus(args.status);
  const flat = Object.entries(idsByStatus(res.metadata))
    .flatMap(([status, ids]) => (keep(status) ? ids.map((id) => ({ status, id })) : []))
    .sort((a, b) => a.status.localeCompare(b.status) || a.id.localeCompare(b.id));
  const page = paginate(flat, args);
  const operations: Record<string, string[]> = {};
  for (const { status, id } of page.items) {
    operations[status] ??= [];
    operations[status].push(id);
  }
  const lines = Object.entries(operations).map(([status, ids]) => `${status} (${ids.length}): ${ids.join(", ")}`);
  return {
    text: [...lines, pageFooter(page, "operations")].join("\n"),
    structured: { operations, ...pageFields(page) },
  };
}

/** get-operations-2: full operation objects, one page of them. */
export async function operationsPage(
  client: IncusClient,
  args: ListArgs & { status?: string | undefined; limit: number; offset: number },
  signal: AbortSignal,
) {
  const res = await incusCall<unknown>(client, {
    method: "GET",
    path: "/1.0/operations",
    query: { recursion: "1", ...listQuery(client, args) },
    signal,
  });
  // The spec says an array; the daemon groups by status ({running: [...]}). Accept both.
  const md = res.metadata;
  const all: IncusOperation[] = Array.isArray(md)
    ? (md as IncusOperation[])
    : Object.values((md ?? {}) as Record<string, IncusOperation[]>).flatMap((l) => (Array.isArray(l) ? l : []));
  const keep = sameStatus(args.status);
  const sorted = all
    .filter((op) => keep(op.status))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  const page = paginate(sorted, args);
  return pagedText(page, page.items.map(describeOperation), "operations", { operations: page.items });
}

interface Instance {
  name: string;
  status: string;
  type: string;
  project?: string;
  location?: string;
  config?: Record<string, string>;
}

/** list-instances: filtered by Incus (`filter=name eq … and status eq …`), one page. */
export async function instancesPage(
  client: IncusClient,
  args: ListArgs & { name?: string | undefined; status?: string | undefined; limit: number; offset: number },
  signal: AbortSignal,
) {
  const clauses = [
    ...(args.name ? [`name eq ${filterValue("name", args.name)}`] : []),
    ...(args.status ? [`status eq ${filterValue("status", args.status).toLowerCase()}`] : []),
  ];
  const res = await incusCall<Instance[]>(client, {
    method: "GET",
    path: "/1.0/instances",
    query: { recursion: "1", ...listQuery(client, args), ...(clauses.length ? { filter: clauses.join(" and ") } : {}) },
    signal,
  });
  const all = (res.metadata ?? []).map((i) => ({
    name: i.name,
    status: i.status,
    type: i.type,
    project: i.project ?? "default",
    image: i.config?.["image.description"] ?? "",
    ...(i.location && i.location !== "none" ? { location: i.location } : {}),
  }));
  const page = paginate(
    all.sort((a, b) => a.project.localeCompare(b.project) || a.name.localeCompare(b.name)),
    args,
  );
  const lines = page.items.map(
    (i) => `${i.name} ${i.status} ${i.type} project=${i.project}${i.image ? ` (${i.image})` : ""}`,
  );
  return pagedText(page, lines, "instances", { instances: page.items });
}

function pagedText<T>(page: Page<T>, lines: string[], noun: string, items: Record<string, unknown>) {
  return { text: [...lines, pageFooter(page, noun)].join("\n"), structured: { ...items, ...pageFields(page) } };
}
