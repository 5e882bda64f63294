import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connectInMemory, textOf } from "@infra-mcp/core/testing";
import { describe, expect, it } from "vitest";
import { qoveryVendor } from "../src/index.js";
import { IDS } from "./fixtures.js";
import { FAKE_TOKEN, startRecorder } from "./servers.js";

// Issue 25 for Qovery (a SaaS: loopback upstreams stand in): a dry run sends no write, and a
// write whose answer never comes is reported as possibly applied, sent exactly once.
const C = IDS.container;

describe("qovery dry run (issue 25)", () => {
  it("deploy-container dryRun reads the status, sends no POST, and says what it would send", async () => {
    const rec = await startRecorder((req) =>
      req.method === "GET" ? { status: 200, body: { id: C, state: "DEPLOYED" } } : { status: 202, body: {} },
    );
    const mcp = await connectInMemory(qoveryVendor, { env: { QOVERY_API_KEY: FAKE_TOKEN, QOVERY_API_URL: rec.url } });
    try {
      const r = await mcp.call("deploy-container", { containerId: C, image_tag: "1.2.3", dryRun: true });
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(textOf(r)).toContain(`${C} DEPLOYED → would request deploy of tag 1.2.3`);
      expect(textOf(r)).toContain(`would send POST /container/${C}/deploy {"image_tag":"1.2.3"}`);
      expect(rec.requests.map((q) => q.method)).toEqual(["GET"]);
      expect(JSON.stringify(r)).not.toContain(FAKE_TOKEN);
    } finally {
      await mcp.close();
      await rec.close();
    }
  });

  it("an unknown argument is refused, naming it, before anything is sent", async () => {
    const rec = await startRecorder();
    const mcp = await connectInMemory(qoveryVendor, { env: { QOVERY_API_KEY: FAKE_TOKEN, QOVERY_API_URL: rec.url } });
    try {
      const r = await mcp.call("stop-container", { containerId: C, dry_run: true });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("dry_run");
      expect(rec.requests).toEqual([]);
    } finally {
      await mcp.close();
      await rec.close();
    }
  });
});

describe("a write whose answer never comes (issue 25)", () => {
  for (const mode of ["hang", "drop"] as const) {
    it(`${mode}: says it may have been applied, names get-container-status, sends it exactly once`, async () => {
      const writes: string[] = [];
      const server: Server = createServer((req, res) => {
        if (req.method === "GET") {
          res.writeHead(404, { "content-type": "application/json" }).end("{}");
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
      const mcp = await connectInMemory(qoveryVendor, {
        env: { QOVERY_API_KEY: FAKE_TOKEN, QOVERY_API_URL: url, QOVERY_TIMEOUT_MS: "300" },
      });
      try {
        const r = await mcp.call("deploy-container", { containerId: C, image_tag: "1.2.3" });
        expect(r.isError).toBe(true);
        expect(textOf(r)).toContain("may have been applied");
        expect(textOf(r)).toContain("Check with get-container-status");
        expect(writes).toEqual([`POST /container/${C}/deploy`]);
      } finally {
        await mcp.close();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  }
});
