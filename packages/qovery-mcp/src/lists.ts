import { type PageRequest, pageFields, pageFooter, paginate } from "@infra-mcp/core";
import { z } from "zod";
import { containerLine, results, statusLine } from "./summary.js";

/**
 * Paging and filters of the list tools. Qovery's container and status lists have neither paging
 * nor filters, so both happen here on the full answer, sorted so that offsets stay stable
 * between calls; `total` counts what the filter kept.
 */

/** Default page sizes: about 2 KB of text per page at the usual line length of each list. */
export const PAGE = { containers: 12, statuses: 25 } as const;

export const nameFilter = z.string().optional().describe("Name contains");
export const stateFilter = z.string().optional().describe("Only this state");

type Obj = Record<string, unknown>;
const text = (v: unknown) => (typeof v === "string" ? v : "");

/** list-containers: one page of the environment's containers, with their deployment state. */
export function containersPage(
  data: unknown,
  states: ReadonlyMap<string, string>,
  args: PageRequest & { name?: string | undefined },
) {
  const want = args.name?.toLowerCase();
  const all = results(data)
    .filter((c) => want === undefined || text(c.name).toLowerCase().includes(want))
    .sort((a, b) => text(a.name).localeCompare(text(b.name)) || text(a.id).localeCompare(text(b.id)));
  const page = paginate(all, args);
  const lines = page.items.map((c) => `- ${containerLine(c, states.get(text(c.id)))}`);
  return {
    text: [...lines, pageFooter(page, "containers")].join("\n"),
    structured: { results: page.items, ...pageFields(page) },
  };
}

/** The status lists: one page of ReferenceObjectStatus objects, optionally of one state. */
export function statusesPage(data: unknown, args: PageRequest & { state?: string | undefined }) {
  const want = args.state?.toUpperCase();
  const all = results(data)
    .filter((s: Obj) => want === undefined || text(s.state).toUpperCase() === want)
    .sort((a, b) => text(a.id).localeCompare(text(b.id)));
  const page = paginate(all, args);
  return {
    text: [...page.items.map((s) => `- ${statusLine(s)}`), pageFooter(page, "container statuses")].join("\n"),
    structured: { results: page.items, ...pageFields(page) },
  };
}
