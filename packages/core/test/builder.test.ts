import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineVendor, HINTS } from "../src/tools/builder.js";
import type { ToolContext } from "../src/tools/call.js";
import { pageFooter, paginate } from "../src/tools/paging.js";

interface FakeClient {
  base: string;
}

const fake = defineVendor<FakeClient>({
  toolsets: { things: { description: "Things", default: true } },
});

const listThings = fake.tool({
  name: "get-things",
  title: "List things",
  description: "Lists things.",
  toolset: "things",
  inputSchema: z.object({ project: z.string().optional() }),
  hints: "readOnly",
  options: { full: false },
  async handler(args, ctx, options) {
    return { text: `${ctx.client.base} ${args.project ?? "-"} full=${options.full}` };
  },
});
const listThingsFull = listThings.variant({
  name: "get-things-2",
  title: "List things (full)",
  description: "Like get-things, full objects.",
  options: { full: true },
});

const ctx = { client: { base: "b" } } as ToolContext<FakeClient>;

describe("defineVendor", () => {
  it("resolves hint presets to all four hints", () => {
    expect(listThings.annotations).toEqual(HINTS.readOnly);
    expect(listThings.toolset).toBe("things");
  });

  it("a variant shares the handler with other fixed options and keeps the schema", async () => {
    expect(listThingsFull.name).toBe("get-things-2");
    expect(listThingsFull.inputSchema).toBe(listThings.inputSchema);
    expect((await listThings.handler({ project: "p" }, ctx)).text).toBe("b p full=false");
    expect((await listThingsFull.handler({}, ctx)).text).toBe("b - full=true");
  });

  it("refuses a toolset the vendor did not declare", () => {
    expect(() =>
      fake.tool({
        name: "x",
        title: "x",
        description: "x",
        toolset: "nope",
        inputSchema: z.object({}),
        hints: "write",
        handler: async () => ({ text: "" }),
      }),
    ).toThrow(/toolset "nope".*things/);
  });
});

describe("paging", () => {
  it("names the next offset until the last page", () => {
    const all = Array.from({ length: 7 }, (_, i) => i);
    const first = paginate(all, { limit: 3, offset: 0 });
    expect(first).toEqual({ items: [0, 1, 2], total: 7, offset: 0, nextOffset: 3 });
    expect(pageFooter(first)).toBe("3 of 7 items shown (from offset 0); offset=3 for more");
    const last = paginate(all, { limit: 3, offset: 6 });
    expect(last.nextOffset).toBeUndefined();
    expect(pageFooter(last)).toBe("1 of 7 items shown (from offset 6); last page");
    expect(pageFooter(paginate(all, { limit: 10, offset: 0 }))).toBe("7 items");
  });
});
