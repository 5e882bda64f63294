/** Paging and filters of the list tools, on the real Docker engine with more items than one page. */
import { type ConnectedClient, connectInMemory, textOf } from "@infra-mcp/core/testing";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, docker, gate, IMAGE, JWT, removeContainer, uniq } from "./helpers.js";

interface Paged {
  total: number;
  offset: number;
  nextOffset?: number;
}

describe.skipIf(gate.skip)("paging over a Portainer front on the real Docker engine", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;
  const prefix = `pmcp-pg-${uniq}-`;
  const names = [1, 2, 3, 4, 5].map((n) => `${prefix}${n}`);

  beforeAll(async () => {
    // Created, never started: cheap, and a state the status filter can pick out.
    for (const name of names) {
      const r = await docker("POST", `/containers/create?name=${name}`, {
        Image: IMAGE,
        Cmd: ["true"],
        HostConfig: { NetworkMode: "none" },
      });
      expect(r.status).toBe(201);
    }
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT, extraEndpoints: 45 });
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
  });
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    for (const name of names) await removeContainer(name);
  });

  it("list-containers: Docker filters by name and status; pages with total and nextOffset", async () => {
    const seen: string[] = [];
    const footers: string[] = [];
    let offset: number | undefined = 0;
    while (offset !== undefined) {
      const r: CallToolResult = await mcp.call("list-containers", { endpointId: 1, name: prefix, limit: 2, offset });
      if (r.isError) throw new Error(textOf(r));
      const s: Paged & { containers: { name: string; state: string }[] } = r.structuredContent as never;
      expect(s.total).toBe(5);
      seen.push(...s.containers.map((c) => c.name));
      footers.push(textOf(r).split("\n").at(-1) ?? "");
      offset = s.nextOffset;
    }
    expect(seen).toEqual(names);
    expect(footers).toEqual([
      "2 of 5 containers shown (from offset 0); offset=2 for more",
      "2 of 5 containers shown (from offset 2); offset=4 for more",
      "1 of 5 containers shown (from offset 4); last page",
    ]);
    // The filter went to Docker (not applied here): the proxied request carried it.
    const sent = front.requests.filter((q) => q.path.endsWith("/containers/json")).at(-1);
    expect(JSON.parse(sent?.query.filters ?? "{}")).toEqual({ name: [prefix] });
    const created = await mcp.call("list-containers", { endpointId: 1, name: prefix, status: "created" });
    expect((created.structuredContent as unknown as Paged).total).toBe(5);
    const running = await mcp.call("list-containers", { endpointId: 1, name: prefix, status: "running" });
    expect((running.structuredContent as unknown as Paged).total).toBe(0);
    expect(textOf(running)).toBe("no containers");
    const bad = await mcp.call("list-containers", { endpointId: 1, status: "sleepy" });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/HTTP 400.*sleepy/i);
  });

  it("list-environments: a default page keeps the text near 2 KB and says how to get the rest", async () => {
    const first = await mcp.call("list-environments", {});
    const s = first.structuredContent as unknown as Paged & { environments: { id: number }[] };
    expect(s.total).toBe(47);
    expect(s.environments).toHaveLength(40);
    expect(Buffer.byteLength(textOf(first))).toBeLessThan(2600);
    expect(textOf(first).split("\n").at(-1)).toBe("40 of 47 environments shown (from offset 0); offset=40 for more");
    const rest = await mcp.call("list-environments", { offset: 40 });
    expect((rest.structuredContent as { environments: unknown[] }).environments).toHaveLength(7);
    const searched = await mcp.call("list-environments", { search: "extra-4", limit: 3 });
    // Portainer's own search: extra-4 and extra-40 … extra-45.
    expect((searched.structuredContent as unknown as Paged).total).toBe(7);
    expect((searched.structuredContent as unknown as Paged).nextOffset).toBe(3);
  });
});
