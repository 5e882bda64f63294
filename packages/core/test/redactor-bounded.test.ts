/**
 * The redactor stays bounded: a per-user credential lives in its MCP session's scope and goes with
 * it. 10,000 sessions opened and closed over HTTP with distinct credentials leave the process-wide
 * set at its configured size, and a credential is scrubbed while its session lives.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactor } from "../src/base/redact.js";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK } from "../src/testing/index.js";
import { anyFake } from "./fixtures/fake-vendor.js";

const SESSIONS = 10_000;
const CONCURRENCY = 16;
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bounded", version: "0" } },
});
const call = (id: number, name: string) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {} } });

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(url: string, headers: Record<string, string>, body?: string, method = "POST") {
  return new Promise<{ status: number; sid: string | undefined; body: string }>((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, sid: res.headers["mcp-session-id"] as string | undefined, body: text }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("redactor bounded by session", () => {
  let net: NetworkHandle;
  let url: string;

  beforeAll(async () => {
    net = await serveNetwork([anyFake], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { FAKE_TOKEN: "env-token-0000" },
      limits: { maxSessions: 64, maxSessionsPerClient: 64 },
    });
    url = net.mcpUrls["fake-mcp"]!;
  });
  afterAll(async () => {
    await net.close();
    agent.destroy();
  });

  it(`${SESSIONS.toLocaleString("en")} sessions with distinct credentials leave the process-wide set as configured`, async () => {
    // Warm: the configured credential is registered when the shared config is first read.
    const warm = await post(url, HEADERS, INIT);
    await post(url, { ...HEADERS, "mcp-session-id": warm.sid! }, call(2, "whoami"));
    await post(url, { "mcp-session-id": warm.sid! }, undefined, "DELETE");
    const configured = redactor.size;
    expect(configured).toBeGreaterThan(0);

    let next = 0;
    let scrubbedWhileLive = 0;
    const worker = async () => {
      while (next < SESSIONS) {
        const i = next++;
        const credential = { "x-fake-token": `user-${i}-credential-${(i * 7919).toString(36)}` };
        const opened = await post(url, { ...HEADERS, ...credential }, INIT);
        expect(opened.status).toBe(200);
        if (i % 1_000 === 0) {
          // While the session lives, its own credential is scrubbed from its results.
          const leak = await post(
            url,
            { ...HEADERS, ...credential, "mcp-session-id": opened.sid! },
            call(2, "leak-token"),
          );
          expect(leak.body).not.toContain(credential["x-fake-token"]);
          expect(leak.body).toContain("token is [REDACTED]");
          scrubbedWhileLive++;
        }
        const closed = await post(url, { ...credential, "mcp-session-id": opened.sid! }, undefined, "DELETE");
        expect(closed.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(scrubbedWhileLive).toBe(SESSIONS / 1_000);
    expect(redactor.size).toBe(configured);
    expect(net.endpoints[0]!.sessionCount).toBe(0);
  }, 240_000);
});
