import { z } from "zod";

/**
 * Paging arguments for a list tool. The default limit is chosen per tool so the text summary stays
 * near 2 KB; the model asks for the next page with the offset the previous answer named.
 */
export function pagingArgs(defaultLimit: number, maxLimit = 1000) {
  return {
    // The maximum is enforced but not listed (context cost); a larger limit is refused naming it.
    limit: z.number().int().min(1).max(maxLimit).meta({ maximum: undefined }).default(defaultLimit),
    // No description: every page's text ends with the offset to ask for next. The listed schema
    // omits zod's implicit 2^53 maximum (context cost); validation keeps it.
    offset: z.number().int().min(0).meta({ maximum: undefined }).default(0),
  };
}

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  /** Items before paging (after filtering), when known. */
  total: number;
  offset: number;
  /** Offset of the next page; absent on the last page. */
  nextOffset?: number;
}

/** One page of an already fetched (and filtered) list. */
export function paginate<T>(all: readonly T[], req: PageRequest): Page<T> {
  const items = all.slice(req.offset, req.offset + req.limit);
  const end = req.offset + items.length;
  return {
    items,
    total: all.length,
    offset: req.offset,
    ...(end < all.length ? { nextOffset: end } : {}),
  };
}

/** The last line of a paged text summary: says how many were shown and how to get the rest. */
export function pageFooter(page: Page<unknown>, noun = "items"): string {
  if (page.total === 0) return `no ${noun}`;
  if (page.nextOffset === undefined && page.offset === 0) return `${page.total} ${noun}`;
  const shown = `${page.items.length} of ${page.total} ${noun} shown (from offset ${page.offset})`;
  return page.nextOffset === undefined ? `${shown}; last page` : `${shown}; offset=${page.nextOffset} for more`;
}

/** structuredContent fields every paged list carries beside its items. */
export function pageFields(page: Page<unknown>): { total: number; offset: number; nextOffset?: number } {
  return {
    total: page.total,
    offset: page.offset,
    ...(page.nextOffset !== undefined ? { nextOffset: page.nextOffset } : {}),
  };
}
