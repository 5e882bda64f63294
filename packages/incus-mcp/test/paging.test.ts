/** Paging and filters of the list tools, on the real Incus daemon with more items than one page. */
import { textOf } from "@infra-mcp/core/testing";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, connect, createTokenOperation, gate, incus, structured } from "./helpers.js";

interface Paged {
  total: number;
  offset: number;
  nextOffset?: number;
}

describe.skipIf(gate.skip)("paging against a real Incus daemon", () => {
  let c: Awaited<ReturnType<typeof connect>>;
  const prefix = `pg${process.pid}-`;
  const names = [1, 2, 3, 4, 5].map((n) => `${prefix}${n}`);
  const tokens: string[] = [];
  beforeAll(async () => {
    c = await connect();
    for (const name of names) incus("init", "bb", name);
    for (let i = 0; i < 5; i++) tokens.push((await createTokenOperation(`paging-${process.pid}-${i}`)).id);
  }, 120_000);
  afterAll(async () => {
    for (const id of tokens) await api("DELETE", `/1.0/operations/${id}`).catch(() => {});
    for (const name of names) {
      try {
        incus("delete", "--force", name);
      } catch {
        // already gone
      }
    }
    await c.close();
  }, 120_000);

  it("list-instances: Incus filters by name and status; pages of `limit` with total and nextOffset", async () => {
    const seen: string[] = [];
    let offset: number | undefined = 0;
    const footers: string[] = [];
    while (offset !== undefined) {
      const r: CallToolResult = await c.call("list-instances", { name: `^${prefix}`, limit: 2, offset });
      const s: Paged & { instances: { name: string; status: string }[] } = structured(r);
      expect(s.total).toBe(5);
      expect(s.instances.length).toBeLessThanOrEqual(2);
      seen.push(...s.instances.map((i) => i.name));
      footers.push(textOf(r).split("\n").at(-1) ?? "");
      offset = s.nextOffset;
    }
    expect(seen.sort()).toEqual(names);
    expect(footers).toEqual([
      "2 of 5 instances shown (from offset 0); offset=2 for more",
      "2 of 5 instances shown (from offset 2); offset=4 for more",
      "1 of 5 instances shown (from offset 4); last page",
    ]);
    const stopped = structured<Paged>(await c.call("list-instances", { name: `^${prefix}`, status: "Stopped" }));
    expect(stopped.total).toBe(5);
    const running = await c.call("list-instances", { name: `^${prefix}`, status: "running" });
    expect(structured<Paged>(running).total).toBe(0);
    expect(textOf(running)).toBe("no instances");
    const bad = await c.call("list-instances", { name: "c1 or name eq x" });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/Invalid argument "name": must be one word/);
  });

  it("list-instances default page keeps the text near 2 KB", async () => {
    const r = await c.call("list-instances", {});
    const s = structured<Paged & { instances: unknown[] }>(r);
    expect(s.instances.length).toBeLessThanOrEqual(30);
    expect(Buffer.byteLength(textOf(r))).toBeLessThan(2600);
  });

  it("get-operations-2 and get-operations page the operations, with a status filter", async () => {
    // Other suites create and finish operations on the same daemon meanwhile, which shifts offsets;
    // a walk that saw the list change is repeated (paging over a live list promises no snapshot).
    const walk = async () => {
      const seen = new Set<string>();
      let offset: number | undefined = 0;
      let pages = 0;
      while (offset !== undefined) {
        const r: CallToolResult = await c.call("get-operations-2", { status: "running", limit: 2, offset });
        const s: Paged & { operations: { id: string; status: string }[] } = structured(r);
        expect(s.total).toBeGreaterThanOrEqual(5);
        expect(s.operations.length).toBeLessThanOrEqual(2);
        if (s.nextOffset !== undefined) expect(s.nextOffset).toBe(offset + s.operations.length);
        for (const op of s.operations) {
          expect(op.status).toBe("Running");
          seen.add(op.id);
        }
        offset = s.nextOffset;
        pages++;
      }
      return { seen, pages };
    };
    let result = await walk();
    for (let i = 0; i < 5 && !tokens.every((id) => result.seen.has(id)); i++) result = await walk();
    expect(result.pages).toBeGreaterThanOrEqual(3);
    for (const id of tokens) expect(result.seen.has(id)).toBe(true);
    const ids = await c.call("get-operations", { limit: 3 });
    const s = structured<Paged & { operations: Record<string, string[]> }>(ids);
    expect(Object.values(s.operations).flat()).toHaveLength(3);
    expect(s.nextOffset).toBe(3);
    expect(textOf(ids).split("\n").at(-1)).toMatch(/^3 of \d+ operations shown \(from offset 0\); offset=3 for more$/);
    const none = structured<Paged>(await c.call("get-operations", { status: "nosuchstatus" }));
    expect(none.total).toBe(0);
  });
});
