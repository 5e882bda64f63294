import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MASK, maskEnvValues } from "@infra-mcp/core";
import { connectInMemory, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incusVendor } from "../src/index.js";
import { api, type connect, createOwnInstance, gate, incus, removeOwnInstance, SOCKET } from "./helpers.js";

// Issue 25 on the real Incus daemon, on this suite's own instance (created stopped): a dry run
// changes nothing, exec bodies show environment names only, unknown arguments are refused.
const NAME = `safer-${process.pid}-${Date.now().toString(36)}`;
const SECRET = `hunter2-${process.pid}`;

const status = () => JSON.parse(incus("list", NAME, "--format", "json"))[0]?.status as string;

describe.skipIf(gate.skip)("safer answers on the real Incus daemon (issue 25)", () => {
  let mcp: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    mcp = await createOwnInstance(NAME);
    incus("config", "set", NAME, `environment.DB_PASSWORD=${SECRET}`);
  }, 60_000);
  afterAll(() => removeOwnInstance(NAME, mcp), 60_000);

  it("the instance document's environment.* values are masked, in config and expanded_config", async () => {
    const doc = await api<{ config: Record<string, string>; expanded_config: Record<string, string> }>(
      "GET",
      `/1.0/instances/${NAME}`,
    );
    expect(doc.config["environment.DB_PASSWORD"]).toBe(SECRET);
    const masked = maskEnvValues(doc);
    expect(masked.config["environment.DB_PASSWORD"]).toBe(MASK);
    expect(masked.expanded_config["environment.DB_PASSWORD"]).toBe(MASK);
    expect(masked.config["image.description"]).toBe(doc.config["image.description"]);
    expect(JSON.stringify(masked)).not.toContain(SECRET);
  });

  it("a dry run of start-instance reads the status, sends nothing, and the instance stays stopped", async () => {
    expect(status()).toBe("Stopped");
    const r = await mcp.call("start-instance", { instance: NAME, dryRun: true });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(textOf(r)).toContain(`start-instance ${NAME}: Stopped → Running`);
    expect(textOf(r)).toContain(`would send PUT /1.0/instances/${NAME}/state {"action":"start"}`);
    expect(status()).toBe("Stopped");
  });

  it("a dry run of exec-in-instance shows the body with environment values masked (shown with the flag)", async () => {
    const args = { instance: NAME, command: ["true"], environment: { TOKEN: SECRET }, dryRun: true };
    const r = await mcp.call("exec-in-instance", args);
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(textOf(r)).toContain(`would send POST /1.0/instances/${NAME}/exec`);
    expect(textOf(r)).toContain(`"environment":{"TOKEN":"${MASK}"}`);
    expect(JSON.stringify(r)).not.toContain(SECRET);
    const shown = await connectInMemory(incusVendor, { env: { INCUS_SOCKET: SOCKET }, showEnvValues: true });
    try {
      const s = await shown.call("exec-in-instance", args);
      expect(textOf(s)).toContain(`"environment":{"TOKEN":"${SECRET}"}`);
    } finally {
      await shown.close();
    }
    expect(status()).toBe("Stopped");
  });

  it("an unknown argument is refused, naming it, and the instance is not started", async () => {
    const r = await mcp.call("start-instance", { instance: NAME, dry_run: true });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("dry_run");
    expect(status()).toBe("Stopped");
  });
});

describe("a write whose answer never comes (issue 25)", () => {
  for (const mode of ["hang", "drop"] as const) {
    it(`${mode}: says it may have been applied, names get-operations, sends it exactly once`, async () => {
      const writes: string[] = [];
      const server: Server = createServer((req, res) => {
        if (req.method === "GET") {
          res.writeHead(404, { "content-type": "application/json" });
          res.end('{"type":"error","error":"not found","error_code":404}');
          return;
        }
        writes.push(`${req.method} ${req.url}`);
        req.resume();
        req.on("end", () => {
          if (mode === "drop") req.socket.destroy();
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const mcp = await connectInMemory(incusVendor, {
        env: { INCUS_URL: url, INCUS_TOKEN: "token-for-a-counting-server", INCUS_TIMEOUT_MS: "300" },
      });
      try {
        const r = await mcp.call("stop-instance", { instance: "web" });
        expect(r.isError).toBe(true);
        expect(textOf(r)).toContain("may have been applied");
        expect(textOf(r)).toContain("Check with get-operations");
        expect(writes).toEqual(["PUT /1.0/instances/web/state"]);
      } finally {
        await mcp.close();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  }
});
