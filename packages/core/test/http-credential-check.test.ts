/**
 * A per-user credential header is proven upstream before it costs an MCP session slot (issue:
 * "eight made-up keys took every slot"). The mechanism against the fake vendor, whose upstream is
 * its user table; each vendor proves it against its real upstream (or front) in its own suite.
 */
import http from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UpstreamHttpError, UpstreamUnavailableError } from "../src/base/errors.js";
import { scopedRedactor } from "../src/base/redact.js";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { credentialOverride } from "../src/serving/shared/credential.js";
import { CredentialChecker } from "../src/serving/shared/credential-check.js";
import { LOOPBACK_TEST_NETWORK } from "../src/testing/index.js";
import type { VendorDefinition } from "../src/tools/vendor.js";
import { type FakeClient, fakeVendor, USERS } from "./fixtures/fake-vendor.js";

const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});

/** Tokens starting with this stand for an upstream that cannot be reached. */
const DOWN = "down-";
let upstreamReads = 0;

/** The fake vendor with its upstream's check: the user table answers, as its whoami tool does. */
const checked: VendorDefinition<FakeClient> = {
  ...fakeVendor,
  async verifyCredential(client) {
    upstreamReads++;
    if (client.token?.startsWith(DOWN)) throw new UpstreamUnavailableError("Fake upstream is unreachable");
    if (!client.token || !USERS[client.token]) throw new UpstreamHttpError("GET", "/whoami", 401, "unknown token");
    return undefined;
  },
};

function post(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...MCP_HEADERS, ...headers } }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(INIT);
  });
}

describe("per-user credential header proven before it takes a session slot", () => {
  let net: NetworkHandle;
  let mcp: string;

  beforeAll(async () => {
    net = await serveNetwork([checked as unknown as VendorDefinition<unknown>], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { MCP_HTTP_MAX_SESSIONS: "8" },
    });
    mcp = net.mcpUrls["fake-mcp"]!;
  });
  afterAll(() => net.close());
  afterEach(() => {
    upstreamReads = 0;
  });

  it("MCP_HTTP_MAX_SESSIONS=8: eight made-up keys get 401 naming the header, then the real user gets a session", async () => {
    for (let i = 0; i < 8; i++) {
      const r = await post(mcp, { "x-fake-token": `made-up-key-${i}-${Math.random()}` });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.message).toMatch(/The x-fake-token header was refused/);
      expect(r.body).not.toMatch(/made-up-key/);
    }
    expect(net.endpoints[0]?.sessionCount).toBe(0);
    const real = await post(mcp, { "x-fake-token": "alice-token-1111" });
    expect(real.status).toBe(200);
    expect(real.headers["mcp-session-id"]).toBeTruthy();
    expect(net.endpoints[0]?.sessionCount).toBe(1);
  });

  it("keeps the verdict briefly: a second session with the same value costs no upstream read", async () => {
    const first = await post(mcp, { "x-fake-token": "bob-token-2222" });
    const second = await post(mcp, { "x-fake-token": "bob-token-2222" });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(upstreamReads).toBe(1);
    // A refusal is kept too: the same made-up value again is not asked upstream again.
    await post(mcp, { "x-fake-token": "mallory-token-99" });
    await post(mcp, { "x-fake-token": "mallory-token-99" });
    expect(upstreamReads).toBe(2);
  });

  it("an unreachable upstream: 503 with Retry-After, no slot taken, and nothing kept (asked again next time)", async () => {
    const before = net.endpoints[0]?.sessionCount;
    const r = await post(mcp, { "x-fake-token": `${DOWN}token-5555` });
    expect(r.status).toBe(503);
    expect(r.headers["retry-after"]).toBe("5");
    expect(JSON.parse(r.body).error.message).toMatch(/x-fake-token header cannot be checked now.*unreachable/);
    expect(net.endpoints[0]?.sessionCount).toBe(before);
    await post(mcp, { "x-fake-token": `${DOWN}token-5555` });
    expect(upstreamReads).toBe(2);
  });

  it("requests without the header are not checked (the server's own credential)", async () => {
    expect((await post(mcp)).status).toBe(200);
    expect(upstreamReads).toBe(0);
  });
});

describe("CredentialChecker", () => {
  const user = (value: string) => {
    const u = credentialOverride(checked, { "x-fake-token": value }, {});
    if (!u) throw new Error("no credential");
    return u;
  };

  it("keys verdicts by the value's SHA-256 (never the value), expires them and keeps a bounded number", async () => {
    let now = 1_000;
    const checker = new CredentialChecker(checked, { ttlMs: 1_000, maxEntries: 4, now: () => now });
    const alice = user("alice-token-1111");
    expect(await checker.check(alice, scopedRedactor(alice.value))).toEqual({ ok: true });
    expect(await checker.check(alice, scopedRedactor(alice.value))).toEqual({ ok: true });
    expect(checker.checks).toBe(1);
    now += 1_001;
    await checker.check(alice, scopedRedactor(alice.value));
    expect(checker.checks).toBe(2);
    for (let i = 0; i < 20; i++) {
      const u = user(`made-up-${i}-xxxxxx`);
      expect((await checker.check(u, scopedRedactor(u.value))).ok).toBe(false);
    }
    expect(checker.size).toBeLessThanOrEqual(4);
    // What is held is the values' SHA-256, never a value.
    const last = user("made-up-19-xxxxxx");
    expect(checker.keys).toContain(last.digest.toString("hex"));
    for (const key of checker.keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it("concurrent initializes with one value make one upstream read", async () => {
    const checker = new CredentialChecker(checked);
    const bob = user("bob-token-2222");
    const verdicts = await Promise.all(Array.from({ length: 5 }, () => checker.check(bob, scopedRedactor(bob.value))));
    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(checker.checks).toBe(1);
  });
});
