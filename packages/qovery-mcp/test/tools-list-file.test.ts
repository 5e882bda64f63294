import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { listTools, sdkToolList } from "@infra-mcp/core";
import { rawToolsList } from "@infra-mcp/core/testing";
import { describe, expect, it } from "vitest";
import { qoveryVendor } from "../src/index.js";

// The bin answers tools/list from dist/tools-list.json (written at build, see core's listing.ts);
// these prove that file, core's live fallback and what the bin serves all equal the SDK's own answer.
const distFile = new URL("../dist/tools-list.json", import.meta.url);
const json = (v: unknown) => JSON.stringify(v);

describe("tools/list precomputed at build time", () => {
  it("dist/tools-list.json is byte for byte the SDK's live listing of every tool (all toolsets)", async () => {
    const file = JSON.parse(readFileSync(distFile, "utf8")) as { tools: unknown[] };
    const sdk = await sdkToolList(qoveryVendor.tools);
    expect(file.tools.length).toBe(qoveryVendor.tools.length);
    expect(json(file.tools)).toBe(json(sdk));
  });

  it("core's live conversion (the fallback without the file) equals the SDK's listing", async () => {
    expect(json(listTools(qoveryVendor.tools, null))).toBe(json(await sdkToolList(qoveryVendor.tools)));
  });

  it("the built bin serves exactly the SDK's listing of the tools it registered", async () => {
    const served = await rawToolsList(fileURLToPath(new URL("../bin.cjs", import.meta.url)), {
      NODE_DISABLE_COMPILE_CACHE: "1",
    });
    const registered = served.tools.map((t) => qoveryVendor.tools.find((tool) => tool.name === t.name));
    expect(registered.every(Boolean)).toBe(true);
    expect(served.tools.length).toBeGreaterThan(0);
    expect(json(served.tools)).toBe(json(await sdkToolList(registered as typeof qoveryVendor.tools)));
  });
});
