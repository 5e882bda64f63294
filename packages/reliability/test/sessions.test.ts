/**
 * Suite 4 — sessions and shutdown, against a fake Portainer (container inspect + attach websocket).
 *  - 100 stream sessions opened and abandoned → idle expiry frees them and their upstream sockets;
 *  - 100 MCP HTTP sessions that each opened a stream and vanished → MCP session expiry closes them;
 *  - SIGTERM to the built bin (--http) mid-stream → upstream sockets closed, exit within 5 s.
 * "An Incus exec whose client disappears does not leave the operation running" is covered against
 * the real Incus by packages/incus-mcp/test/exec.test.ts ("a client cancel mid-exec kills the
 * command in the instance"); not duplicated here.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { VendorDefinition } from "@infra-mcp/core";
import { serveNetwork } from "@infra-mcp/core/network";
import { connectInMemory, LOOPBACK_TEST_NETWORK, textOf } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { Recorder, sleep, VENDORS, vendorEnv } from "./helpers.js";

const CONTAINER = "abc123def456";

/** A fake Portainer whose attach websockets stay open and trickle output. */
function fakePortainer() {
  const up = new Recorder();
  const wss = new WebSocketServer({ noServer: true });
  up.handler = (req, res) => {
    if (/\/containers\/[^/]+\/json/.test(req.url ?? "")) {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(
        JSON.stringify({ Id: CONTAINER, Name: "/rel", Config: { Tty: false }, State: { Running: true } }),
      );
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"message":"not found"}');
  };
  up.upgradeHandler = (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const t = setInterval(() => ws.send("tick\n"), 200);
      ws.on("close", () => clearInterval(t));
    });
  };
  return { up, wss, open: () => wss.clients.size };
}

async function until(what: string, ms: number, ok: () => boolean): Promise<number> {
  const started = performance.now();
  while (!ok()) {
    if (performance.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
  return Math.round(performance.now() - started);
}

const figures: string[] = [];
afterAll(() => {
  process.stderr.write(`[sessions] ${figures.join("\n[sessions] ")}\n`);
});

describe("abandoned stream sessions", () => {
  const fake = fakePortainer();
  beforeAll(async () => {
    await fake.up.listen();
  });
  afterAll(async () => {
    fake.wss.close();
    await fake.up.close();
  });

  it("100 stream sessions opened and abandoned → idle expiry closes them and their upstream sockets", async () => {
    const c = await connectInMemory(VENDORS.portainer, {
      env: vendorEnv("portainer", fake.up.url),
      // Idle limit well above the time it takes to open 100 sessions on a loaded 2-core machine
      // (measured over 1 s at a load average of 50), so the cap and the count below see all of them.
      sessionLimits: { maxSessions: 100, idleMs: 10_000 },
    });
    try {
      for (let i = 0; i < 100; i += 10) {
        const batch = await Promise.all(
          Array.from({ length: 10 }, () => c.call("attach-websocket", { endpointId: 1, id: CONTAINER, session: true })),
        );
        for (const r of batch) expect(r.isError, textOf(r)).toBeFalsy();
      }
      expect(fake.open()).toBe(100);
      const list = await c.call("session-list", {});
      expect((list.structuredContent as { sessions: unknown[] }).sessions).toHaveLength(100);
      // The cap holds: a 101st is refused with the knob to raise it.
      const over = await c.call("attach-websocket", { endpointId: 1, id: CONTAINER, session: true });
      expect(over.isError).toBe(true);
      expect(textOf(over)).toMatch(/Too many open sessions/);
      // Abandon: nobody touches them. Idle 10 s + sweep every 2.5 s.
      const ms = await until("upstream sockets freed", 60_000, () => fake.open() === 0);
      figures.push(`100 abandoned stream sessions: upstream websockets 100 → 0 in ${ms} ms after idleMs=10000`);
      const after = await c.call("session-list", {});
      expect((after.structuredContent as { sessions: unknown[] }).sessions).toHaveLength(0);
    } finally {
      await c.close();
    }
  }, 120_000);

  it("100 MCP HTTP sessions that opened a stream and vanished → MCP session expiry closes their streams", async () => {
    const net = await serveNetwork([VENDORS.portainer as VendorDefinition<unknown>], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: vendorEnv("portainer", fake.up.url),
      // Idle limit well above the time it takes to open 100 sessions on a loaded 2-core machine
      // (measured over 5 s at a load average of 50), so the count below sees all of them before the
      // first expires.
      limits: { maxSessions: 128, maxSessionsPerClient: 128, sessionIdleMs: 20_000 },
    });
    try {
      const url = new URL(net.mcpUrls["portainer-mcp"]!);
      for (let i = 0; i < 100; i += 20) {
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            const client = new Client({ name: "abandoner", version: "0" });
            await client.connect(new StreamableHTTPClientTransport(url));
            const r = await client.callTool({
              name: "attach-websocket",
              arguments: { endpointId: 1, id: CONTAINER, session: true },
            });
            expect(r.isError).toBeFalsy();
            // Vanish without DELETE: drop the client side only.
          }),
        );
      }
      const endpoint = net.endpoints[0]!;
      expect(endpoint.sessionCount).toBe(100);
      expect(fake.open()).toBe(100);
      const ms = await until("MCP sessions expired", 90_000, () => endpoint.sessionCount === 0 && fake.open() === 0);
      figures.push(`100 abandoned MCP HTTP sessions: sessions 100 → 0, upstream websockets 100 → 0 in ${ms} ms`);
    } finally {
      await net.close();
    }
  }, 120_000);
});

describe("SIGTERM mid-stream", () => {
  const fake = fakePortainer();
  beforeAll(async () => {
    await fake.up.listen();
  });
  afterAll(async () => {
    fake.wss.close();
    await fake.up.close();
  });

  it("the --http bin closes its upstream sockets and exits within 5 s", async () => {
    const probe = new Recorder();
    await probe.listen();
    const port = probe.port;
    await probe.close();
    const bin = fileURLToPath(new URL("../../portainer-mcp/bin.cjs", import.meta.url));
    const child = spawn(process.execPath, [bin, "--http", "--port", String(port)], {
      env: { ...vendorEnv("portainer", fake.up.url), MCP_HTTP_SESSION_IDLE_SECONDS: "600" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    try {
      await until("bin listening", 10_000, () => /listening|http:\/\//i.test(stderr));
      const url = new URL(`http://127.0.0.1:${port}/mcp`);
      const client = new Client({ name: "sigterm", version: "0" });
      await client.connect(new StreamableHTTPClientTransport(url));
      for (let i = 0; i < 3; i++) {
        const r = await client.callTool({
          name: "attach-websocket",
          arguments: { endpointId: 1, id: CONTAINER, session: true },
        });
        expect(r.isError).toBeFalsy();
      }
      // And one one-shot stream in flight (listens 20 s): SIGTERM lands mid-stream.
      const inflight = client
        .callTool({ name: "attach-websocket", arguments: { endpointId: 1, id: CONTAINER, listenMs: 20_000 } })
        .catch((e: Error) => e);
      await until("4 upstream websockets", 15_000, () => fake.open() === 4);
      const t0 = performance.now();
      child.kill("SIGTERM");
      const exit = await Promise.race([exited, sleep(5_000).then(() => undefined)]);
      const ms = Math.round(performance.now() - t0);
      expect(exit, `did not exit within 5 s; stderr: ${stderr.slice(-500)}`).toBeDefined();
      // The process is gone, so the kernel has closed its sockets; the bound only catches a hang in
      // the fake noticing it, not a speed.
      await until("upstream sockets closed", 10_000, () => fake.open() === 0);
      figures.push(`SIGTERM with 4 upstream websockets open: exit ${JSON.stringify(exit)} after ${ms} ms`);
      await inflight;
      await client.close().catch(() => {});
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
