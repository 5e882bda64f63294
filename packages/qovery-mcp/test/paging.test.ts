/**
 * Paging and filters of the list tools. Qovery has neither for these lists, so both happen in the
 * server: a loopback upstream answers 30 containers (and their statuses) in scrambled order, and
 * the pages must cover each exactly once, in a stable order, with total and nextOffset.
 */
import { type ConnectedClient, connectInMemory, textOf } from "@infra-mcp/core/testing";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qoveryVendor } from "../src/index.js";
import { IDS } from "./fixtures.js";
import { FAKE_TOKEN, type Recorder, startRecorder } from "./servers.js";

const N = 30;
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
const containers = Array.from({ length: N }, (_, i) => ({
  id: id(i),
  name: `svc-${String(i).padStart(2, "0")}${i % 3 === 0 ? "-api" : ""}`,
  image_name: "acme/web",
  tag: "1.0",
  cpu: 500,
  memory: 512,
  min_running_instances: 1,
  max_running_instances: 1,
}));
const statuses = containers.map((c, i) => ({ id: c.id, state: i % 2 ? "STOPPED" : "DEPLOYED" }));
// Scrambled, as an upstream without a documented order may answer.
const scramble = <T>(list: T[]) =>
  list
    .map((x, i) => ({ x, k: (i * 17) % N }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.x);

interface Paged {
  total: number;
  offset: number;
  nextOffset?: number;
  results: { id: string; name?: string; state?: string }[];
}

let rec: Recorder;
let mcp: ConnectedClient;
beforeAll(async () => {
  rec = await startRecorder((req) =>
    req.path.endsWith("/status")
      ? { status: 200, body: { results: scramble(statuses) } }
      : { status: 200, body: { results: scramble(containers) } },
  );
  mcp = await connectInMemory(qoveryVendor, { env: { QOVERY_API_KEY: FAKE_TOKEN, QOVERY_API_URL: rec.url } });
});
afterAll(async () => {
  await mcp.close();
  await rec.close();
});

async function walk(tool: string, args: Record<string, unknown>) {
  const seen: string[] = [];
  const footers: string[] = [];
  let offset: number | undefined = 0;
  let total = -1;
  while (offset !== undefined) {
    const r: CallToolResult = await mcp.call(tool, { ...args, offset });
    if (r.isError) throw new Error(textOf(r));
    const s = r.structuredContent as unknown as Paged;
    total = s.total;
    seen.push(...s.results.map((x) => x.id));
    footers.push(textOf(r).split("\n").at(-1) ?? "");
    offset = s.nextOffset;
  }
  return { seen, footers, total };
}

describe("qovery list tools page and filter", () => {
  it("list-containers: a default page stays near 2 KB; pages cover every container once, sorted by name", async () => {
    const first = await mcp.call("list-containers", { environmentId: IDS.environment });
    expect(Buffer.byteLength(textOf(first))).toBeLessThan(2600);
    const s = first.structuredContent as unknown as Paged;
    expect(s).toMatchObject({ total: N, offset: 0, nextOffset: 12 });
    expect(textOf(first).split("\n").at(-1)).toBe("12 of 30 containers shown (from offset 0); offset=12 for more");
    expect(textOf(first).split("\n")[0]).toMatch(
      /^- svc-00-api \(0{8}-0000-4000-8000-0{12}\) acme\/web:1\.0 DEPLOYED /,
    );
    const { seen, total } = await walk("list-containers", { environmentId: IDS.environment, limit: 7 });
    expect(total).toBe(N);
    expect(seen).toEqual(containers.map((c) => c.id));
  });

  it("list-containers: name filter (client-side, Qovery has none)", async () => {
    const { seen, total, footers } = await walk("list-containers", {
      environmentId: IDS.environment,
      name: "API",
      limit: 4,
    });
    expect(total).toBe(10);
    expect(seen).toEqual(containers.filter((c) => c.name.endsWith("-api")).map((c) => c.id));
    expect(footers.at(-1)).toBe("2 of 10 containers shown (from offset 8); last page");
  });

  it("status lists: state filter and pages, for the environment and the registry", async () => {
    for (const [tool, args] of [
      ["list-all-environment-container-statuses", { environmentId: IDS.environment }],
      [
        "list-all-container-registry-container",
        { organizationId: IDS.organization, containerRegistryId: IDS.registry },
      ],
    ] as const) {
      const all = await walk(tool, { ...args, limit: 8 });
      expect(all.total, tool).toBe(N);
      expect(all.seen, tool).toEqual(statuses.map((s) => s.id));
      const stopped = await walk(tool, { ...args, state: "stopped", limit: 6 });
      expect(stopped.total, tool).toBe(15);
      expect(stopped.seen, tool).toEqual(statuses.filter((s) => s.state === "STOPPED").map((s) => s.id));
      expect(stopped.footers, tool).toEqual([
        "6 of 15 container statuses shown (from offset 0); offset=6 for more",
        "6 of 15 container statuses shown (from offset 6); offset=12 for more",
        "3 of 15 container statuses shown (from offset 12); last page",
      ]);
    }
    // Paging never reaches Qovery: the requests carry no paging or filter query.
    expect(rec.requests.length).toBeGreaterThan(0);
    for (const r of rec.requests) expect(r.query).toEqual({});
  });
});
