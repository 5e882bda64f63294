import net from "node:net";
import { textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incusVendor } from "../src/index.js";
import { connect } from "./helpers.js";

/**
 * An upstream that accepts TCP and then says nothing: over https:// the TLS handshake never
 * completes, over http:// the request is never answered. Every tool must report that within
 * INCUS_TIMEOUT_MS — including the long-poll waits, whose own timeout (60 s here) is far longer.
 */
const TIMEOUT_MS = 1_000;
/**
 * Slack for scheduling on a loaded machine; far below the waits' own 60 s, so a tool that held
 * its call for the whole wait (the old behaviour) fails here.
 */
const BOUND_MS = 5 * TIMEOUT_MS;
const OP = "0b0e0a2c-1111-4a4a-8b8b-123456789abc";

/** Arguments for each tool that talks to the daemon; the test fails when a tool is missing here. */
const ARGS: Record<string, Record<string, unknown>> = {
  "get-operations": {},
  "get-operations-2": {},
  "get-operation-state": { id: OP },
  "cancel-operation": { id: OP },
  "wait-operation": { id: OP, timeout: 60 },
  "wait-operation-2": { id: OP, secret: "s", timeout: 60 },
  "get-websocket-stream": { id: OP, secret: "s" },
  "get-websocket-stream-2": { id: OP, secret: "s" },
  "list-instances": {},
  "exec-in-instance": { instance: "c1", command: ["true"] },
  "open-exec-session": { instance: "c1" },
  "list-remotes": {},
  "get-instance-state": { instance: "c1" },
  "start-instance": { instance: "c1" },
  "stop-instance": { instance: "c1" },
  "restart-instance": { instance: "c1" },
  "freeze-instance": { instance: "c1" },
  "unfreeze-instance": { instance: "c1" },
  "list-instance-logs": { instance: "c1" },
  "get-instance-log": { instance: "c1", file: "lxc.log" },
  "get-console-log": { instance: "c1" },
  "pull-file": { instance: "c1", path: "/etc/hostname" },
  "push-file": { instance: "c1", path: "/tmp/x", content: "x" },
  "delete-file": { instance: "c1", path: "/tmp/x" },
  "list-snapshots": { instance: "c1" },
  "create-snapshot": { instance: "c1" },
  "restore-snapshot": { instance: "c1", snapshot: "s" },
  "delete-snapshot": { instance: "c1", snapshot: "s" },
  "open-events-session": {},
};

describe("a silent upstream is reported within INCUS_TIMEOUT_MS by every tool (no daemon needed)", () => {
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  let port = 0;
  beforeAll(async () => {
    // Accepts, reads, never writes a byte: no TLS ServerHello, no HTTP response.
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("data", () => {});
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("every upstream tool is covered by this test", () => {
    const upstreamTools = incusVendor.tools.filter((t) => !t.usesSessions).map((t) => t.name);
    expect(upstreamTools.filter((n) => !(n in ARGS))).toEqual([]);
  });

  for (const scheme of ["https", "http"] as const) {
    it(`${scheme}: ${scheme === "https" ? "TLS handshake never completes" : "request never answered"}`, async () => {
      const c = await connect({
        INCUS_URL: `${scheme}://127.0.0.1:${port}`,
        INCUS_TOKEN: "token-for-a-silent-server",
        INCUS_TIMEOUT_MS: String(TIMEOUT_MS),
      });
      try {
        const results = await Promise.all(
          Object.entries(ARGS).map(async ([name, args]) => {
            const t0 = Date.now();
            const r = await c.call(name, args);
            return { name, ms: Date.now() - t0, r };
          }),
        );
        for (const { name, ms, r } of results) {
          expect(ms, name).toBeLessThan(BOUND_MS);
          if (name === "list-remotes") {
            // the listing itself succeeds and says the remote does not answer
            expect(textOf(r), name).toMatch(/url .* does not answer: .*(timed out|Cannot reach)/);
            continue;
          }
          expect(r.isError, name).toBe(true);
          expect(textOf(r), name).toMatch(/timed out after 1000 ms|Cannot reach Incus|Cannot open websocket/);
        }
      } finally {
        await c.close();
      }
    }, 60_000);
  }
});
