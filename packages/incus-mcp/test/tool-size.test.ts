import { connectInMemory } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incusVendor } from "../src/index.js";
import { SOCKET } from "./helpers.js";

/** Target: at most 900 bytes of tools/list JSON per tool (context cost for the model). */
const TARGET = 900;

/**
 * Measured caps for the tools that stay above the target, with why. About 270 B of every entry is
 * fixed (name, title twice, four hints, `execution`, the schema's `$schema`), leaving ~630 B.
 */
const OVER: Record<string, { max: number; why: string }> = {
  "exec-in-instance": {
    max: 1472,
    why: "12 parameters (instance, command, stdin + encoding, env, cwd, uid, gid, project, timeout, output cap, remote), each with the bounds the server enforces; dropping one drops a feature",
  },
  "open-exec-session": {
    max: 1206,
    why: "the same exec target (instance, env, cwd, uid, gid, project, command, remote) plus cols/rows",
  },
  "get-websocket-stream": {
    max: 926,
    why: "was at the target before every tool gained the shared `remote` argument (26 B)",
  },
  "push-file": {
    max: 1155,
    why: "11 parameters (instance, path, content + encoding, type, append, uid, gid, mode, project, remote): owner and mode settable is the point of the tool",
  },
};

describe("tools/list size per tool", () => {
  let c: Awaited<ReturnType<typeof connectInMemory>>;
  let sizes: Map<string, number>;
  beforeAll(async () => {
    // Listing tools talks to no daemon: no gate needed.
    c = await connectInMemory(incusVendor, { env: { INCUS_SOCKET: SOCKET }, toolsets: ["all"] });
    const { tools } = await c.client.listTools();
    sizes = new Map(tools.map((t) => [t.name, Buffer.byteLength(JSON.stringify(t))]));
  });
  afterAll(async () => {
    await c.close();
  });

  it("lists every tool it budgets for", () => {
    expect(sizes.size).toBeGreaterThanOrEqual(34);
    for (const name of Object.keys(OVER)) expect(sizes.has(name)).toBe(true);
  });

  it(`keeps each tool at most ${TARGET} bytes, or its measured cap`, () => {
    const over = [...sizes].filter(([name, size]) => size > (OVER[name]?.max ?? TARGET));
    expect(over).toEqual([]);
  });

  it("the caps above the target are still needed (tighten them when a tool shrinks)", () => {
    for (const [name, { max }] of Object.entries(OVER)) {
      expect(sizes.get(name)).toBeGreaterThan(TARGET);
      expect(sizes.get(name)).toBeLessThanOrEqual(max);
    }
  });
});
