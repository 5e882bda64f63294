import { connectInMemory } from "@infra-mcp/core/testing";
import { it } from "vitest";
import { incusVendor } from "../src/index.js";
it("measure", async () => {
  const c = await connectInMemory(incusVendor, { env: { INCUS_SOCKET: "/var/lib/incus/unix.socket" } });
  const { tools } = await c.client.listTools();
  const b = (x: unknown) => Buffer.byteLength(JSON.stringify(x) ?? "");
  for (const t of tools)
    console.log(`SIZE ${String(b(t)).padStart(5)} desc=${b(t.description)} schema=${b(t.inputSchema)} out=${b(t.outputSchema)} other=${b(t) - b(t.inputSchema) - b(t.description)} ${t.name}`);
  await c.close();
});
