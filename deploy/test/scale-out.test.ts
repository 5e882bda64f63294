/**
 * Scale-out behind a real nginx (Debian's package, a foreground child with a generated config):
 * three gateway replicas on loopback, each with its own MCP_INSTANCE_ID.
 *
 *  - naive `hash $http_mcp_session_id consistent`: the initialize request has no session id yet,
 *    so nginx balances it round-robin, and the session lives on a replica the later requests'
 *    hash does not pick → 404s. Measured, so the README can say why the fix exists.
 *  - affinity (what deploy/k8s ships): key = the request id nginx also sends upstream as
 *    X-Request-ID for initialize; the replica generates the session id and starts it with that
 *    request id (MCP_SESSION_ID_HEADER=x-request-id), and nginx maps a later request's
 *    Mcp-Session-Id back to that prefix. 20 concurrent SDK sessions, every call on the replica
 *    that created the session; one replica SIGKILLed mid-run: only its sessions fail, and they
 *    re-initialize on a surviving replica and carry on there.
 *  - stateless (`--stateless`) behind plain round-robin: 1,000 calls, 0 errors, spread over 3.
 *
 * Calls go to qovery's list-default-container-advanced-settings against a loopback fake Qovery
 * API (QOVERY_API_URL), so the suite needs no real upstream.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { VendorDefinition } from "@infra-mcp/core";
import { daemonGate, textOf } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fakeQovery,
  freePort,
  type Nginx,
  nginxBin,
  percentile,
  type Replica,
  repoRoot,
  report,
  round,
  startNginx,
  startReplica,
} from "./helpers.js";

const TOKEN = "mcp-http-token-for-scale-out-7f3a9c";
const QOVERY_KEY = "qov_fake_key_scaleout_41d2e8b6";
const TOOL = "list-default-container-advanced-settings";
const SESSIONS = 20;
const CALLS_PER_SESSION = 30;
const STATELESS_CLIENTS = 10;
const STATELESS_CALLS = 1_000;
/**
 * A call in flight when its replica dies gets no JSON-RPC response: its SSE stream just ends, and
 * the SDK client waits for its request timeout (60 s by default). A client behind a load balancer
 * should use a shorter one; the tests use 5 s.
 */
const CALL_TIMEOUT_MS = 5_000;

const gate = daemonGate("nginx", existsSync(nginxBin()), "apt-get install -y nginx (scripts/setup-daemons.sh)");

interface Hop {
  rpc: string;
  status: number;
  instance: string | null;
  upstream: string | null;
}

/** fetch that records, per MCP POST, the JSON-RPC method, status, X-MCP-Instance and nginx's upstream. */
function tracking(hops: Hop[]): FetchLike {
  return async (url, init) => {
    const res = await fetch(url, init);
    if (init?.method === "POST" && typeof init.body === "string") {
      const rpc = (/"method":"([^"]+)"/.exec(init.body) ?? [])[1] ?? "?";
      hops.push({
        rpc,
        status: res.status,
        instance: res.headers.get("x-mcp-instance"),
        upstream: res.headers.get("x-upstream-addr"),
      });
    }
    return res;
  };
}

interface Conn {
  client: Client;
  transport: StreamableHTTPClientTransport;
  replica: string;
  sessionId: string | undefined;
  hops: Hop[];
}

async function connect(url: string): Promise<Conn> {
  const hops: Hop[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
    fetch: tracking(hops),
  });
  const client = new Client({ name: "scale-out-test", version: "0" });
  client.onerror = () => {}; // the standalone SSE stream of a killed replica errors; calls are checked below
  await client.connect(transport);
  const version = client.getServerVersion()?.version ?? "";
  return { client, transport, replica: version.split("+")[1] ?? "?", sessionId: transport.sessionId, hops };
}

async function call(conn: Conn): Promise<void> {
  const r = await conn.client.callTool({ name: TOOL, arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS });
  if (r.isError) throw new Error(`tool error: ${textOf(r as never)}`);
  if (!textOf(r as never).includes("default container advanced settings")) throw new Error("unexpected result");
}

const toolCalls = (hops: Hop[]) => hops.filter((h) => h.rpc === "tools/call");

describe.skipIf(gate.skip)("3 gateway replicas behind a real nginx", () => {
  let upstream: Awaited<ReturnType<typeof fakeQovery>>;
  let stateful: Replica[] = [];
  let stateless: Replica[] = [];
  let nginx: Nginx;
  const port = { naive: 0, affinity: 0, roundRobin: 0 };
  const url = (p: number) => `http://127.0.0.1:${p}/qovery/mcp`;

  beforeAll(async () => {
    upstream = await fakeQovery();
    const env = {
      MCP_HTTP_TOKEN: TOKEN,
      MCP_SESSION_ID_HEADER: "x-request-id",
      QOVERY_API_KEY: QOVERY_KEY,
      QOVERY_API_URL: upstream.url,
      LOG_LEVEL: "warn",
    };
    stateful = await Promise.all(["r1", "r2", "r3"].map((id) => startReplica(id, env)));
    stateless = await Promise.all(["s1", "s2", "s3"].map((id) => startReplica(id, env, ["--stateless"])));
    port.naive = await freePort();
    port.affinity = await freePort();
    port.roundRobin = await freePort();
    const servers = (rs: Replica[]) =>
      rs.map((r) => `    server 127.0.0.1:${r.port} max_fails=1 fail_timeout=10s;`).join("\n");
    // Streamable HTTP answers with SSE: no buffering, long reads, HTTP/1.1 keep-alive upstream.
    const proxy = `
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_read_timeout 300s;
      add_header X-Upstream-Addr $upstream_addr always;`;
    nginx = await startNginx(
      `
  # As ingress-nginx does: keep a client's X-Request-ID, else a fresh 32-hex request id.
  map $http_x_request_id $req_id {
    default $http_x_request_id;
    ""      $request_id;
  }
  # The affinity key: for initialize (no session id yet) the request id; the replica generates
  # the session id as "<that request id>.<uuid>" (MCP_SESSION_ID_HEADER=x-request-id), so a later
  # request's key is its session id's prefix: the same key, the same replica.
  map $http_mcp_session_id $mcp_route_key {
    "~^(?<mcp_route>[0-9A-Za-z_~-]+)[.]" $mcp_route;
    ""      $req_id;
    default $http_mcp_session_id;
  }
  upstream naive {
    hash $http_mcp_session_id consistent;
${servers(stateful)}
    keepalive 16;
  }
  upstream affinity {
    hash $mcp_route_key consistent;
${servers(stateful)}
    keepalive 16;
  }
  upstream round_robin {
${servers(stateless)}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port.naive};
    location / { proxy_pass http://naive; ${proxy} }
  }
  server {
    listen 127.0.0.1:${port.affinity};
    location / { proxy_pass http://affinity; proxy_set_header X-Request-ID $req_id; ${proxy} }
  }
  server {
    listen 127.0.0.1:${port.roundRobin};
    location / { proxy_pass http://round_robin; ${proxy} }
  }`,
      Object.values(port),
    );
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([...stateful, ...stateless].map((r) => r.stop()));
    await upstream?.close();
  });

  it("naive hash on Mcp-Session-Id: initialize is balanced without a key, so most sessions 404", async () => {
    const results = await Promise.all(
      Array.from({ length: SESSIONS }, async () => {
        const hops: Hop[] = [];
        const transport = new StreamableHTTPClientTransport(new URL(url(port.naive)), {
          requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
          fetch: tracking(hops),
        });
        const client = new Client({ name: "naive-test", version: "0" });
        client.onerror = () => {};
        let ok = true;
        try {
          await client.connect(transport); // initialize, then notifications/initialized (already hashed)
          await client.callTool({ name: TOOL, arguments: {} });
        } catch {
          ok = false;
        }
        await transport.close();
        const init = hops.find((h) => h.rpc === "initialize");
        const failed = hops.find((h) => h.status >= 400);
        return { created: init?.instance ?? "?", ok, status: failed?.status ?? 200, failedOn: failed?.instance };
      }),
    );
    const broken = results.filter((r) => !r.ok);
    const createdOn = count(results.map((r) => r.created));
    report("naive-hash", {
      sessions: SESSIONS,
      broken: broken.length,
      statuses: count(broken.map((b) => String(b.status))),
      createdOn,
    });
    // initialize carries no Mcp-Session-Id: nginx balances it round-robin, the session lives there,
    // and the next request is hashed to whichever replica owns hash(session id), usually another.
    expect(Object.keys(createdOn).sort()).toEqual(["r1", "r2", "r3"]);
    expect(broken.length).toBeGreaterThan(0);
    for (const b of broken) {
      expect(b.status).toBe(404);
      expect(b.failedOn).not.toBe(b.created);
    }
  });

  it("affinity: 20 concurrent sessions stay on their replica; a SIGKILLed replica only breaks its own sessions, which re-initialize", async () => {
    const latencies: number[] = [];
    const recoveries: number[] = [];
    let done = 0;
    let killed: Replica | undefined;
    let killedAt = 0;
    let kill: Promise<unknown> = Promise.resolve();
    const owners: Conn[] = [];

    const runSession = async (i: number) => {
      const conns: Conn[] = [];
      const errors: { afterCall: number; message: string }[] = [];
      let conn = await connect(url(port.affinity));
      conns.push(conn);
      owners[i] = conn;
      await barrier;
      let ok = 0;
      while (ok < CALLS_PER_SESSION) {
        const t0 = performance.now();
        try {
          await call(conn);
          latencies.push(performance.now() - t0);
          ok++;
          done++;
          if (!killed && done >= (SESSIONS * CALLS_PER_SESSION) / 2) {
            // Mid-run: the replica holding the most sessions dies without a goodbye.
            const held = count(owners.map((o) => o.replica));
            const victimId = Object.entries(held).sort((a, b) => b[1] - a[1])[0]![0];
            killed = stateful.find((r) => r.id === victimId)!;
            killedAt = done;
            kill = killed.stop("SIGKILL");
          }
        } catch (error) {
          const failed = toolCalls(conn.hops).findLast((h) => h.status >= 400);
          const message = failed ? `HTTP ${failed.status}` : (error as Error).message.split("\n")[0]!.slice(0, 80);
          errors.push({ afterCall: ok, message });
          if (errors.length > 3) throw new Error(`session ${i}: too many errors: ${JSON.stringify(errors)}`);
          await conn.transport.close().catch(() => {});
          const t1 = performance.now();
          conn = await connect(url(port.affinity));
          recoveries.push(performance.now() - t1);
          conns.push(conn);
        }
      }
      await conn.transport.terminateSession().catch(() => {});
      await conn.transport.close();
      return { i, conns, errors };
    };

    let release!: () => void;
    const barrier = new Promise<void>((r) => {
      release = r;
    });
    const running = Array.from({ length: SESSIONS }, (_, i) => runSession(i));
    // All 20 sessions are open before the first call, so the kill hits a replica with live sessions.
    while (owners.filter(Boolean).length < SESSIONS) await new Promise((r) => setTimeout(r, 10));
    const initial = count(owners.map((o) => o.replica));
    release();
    const sessions = await Promise.all(running);
    await kill;

    expect(killed).toBeDefined();
    const victim = killed!.id;
    const portOf = Object.fromEntries(stateful.map((r) => [r.id, `127.0.0.1:${r.port}`]));
    const affected = sessions.filter((s) => s.conns[0]!.replica === victim);
    const unaffected = sessions.filter((s) => s.conns[0]!.replica !== victim);

    // Every session got its own id, created by one of the three replicas.
    expect(new Set(sessions.map((s) => s.conns[0]!.sessionId)).size).toBe(SESSIONS);
    expect(Object.keys(initial).length).toBeGreaterThanOrEqual(2);
    expect(affected.length).toBeGreaterThan(0);

    for (const s of sessions) {
      for (const c of s.conns) {
        // The replica generated the id; it starts with the request id nginx hashed the initialize
        // on (32 hex chars), which is how nginx routes the session's later requests.
        expect(c.sessionId).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        const calls = toolCalls(c.hops).filter((h) => h.status === 200);
        // Same replica for every call of the session, by the replica's header and by nginx's upstream.
        for (const h of calls) {
          expect(h.instance).toBe(c.replica);
          expect(h.upstream).toBe(portOf[c.replica]);
        }
      }
    }
    // Sessions on the surviving replicas never noticed.
    for (const s of unaffected) {
      expect(s.errors).toEqual([]);
      expect(s.conns).toHaveLength(1);
      expect(toolCalls(s.conns[0]!.hops).every((h) => h.status === 200)).toBe(true);
      expect(toolCalls(s.conns[0]!.hops)).toHaveLength(CALLS_PER_SESSION);
    }
    // The victim's sessions: one failed call, a clean re-initialize on a survivor, then no errors.
    let reinitialized = 0;
    for (const s of affected) {
      if (s.errors.length === 0) continue; // finished before the kill reached it
      reinitialized++;
      expect(s.errors).toHaveLength(1);
      expect(s.conns).toHaveLength(2);
      const after = s.conns[1]!;
      expect(after.replica).not.toBe(victim);
      expect(after.sessionId).not.toBe(s.conns[0]!.sessionId);
      expect(toolCalls(after.hops).every((h) => h.status === 200)).toBe(true);
    }
    expect(reinitialized).toBeGreaterThan(0);

    const sorted = [...latencies].sort((a, b) => a - b);
    report("affinity", {
      rssMiB: Object.fromEntries(stateful.filter((r) => r !== killed).map((r) => [r.id, rssMiB(r.proc.pid)])),
      sessions: SESSIONS,
      callsPerSession: CALLS_PER_SESSION,
      sessionsPerReplica: initial,
      killed: victim,
      killedAfterCalls: killedAt,
      affectedSessions: affected.length,
      reinitialized,
      errorsInAffected: count(affected.flatMap((s) => s.errors.map((e) => e.message))),
      errorsInUnaffected: unaffected.reduce((n, s) => n + s.errors.length, 0),
      movedTo: count(affected.filter((s) => s.conns[1]).map((s) => s.conns[1]!.replica)),
      callMs: { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1)!) },
      reinitializeMs: recoveries.length ? round(Math.max(...recoveries)) : null,
    });
  });

  it("stateless behind round-robin: 1,000 calls over 3 replicas, 0 errors, no session tools listed", async () => {
    // Session tools are not offered in stateless mode; everything else is (compared with what
    // a stateful replica lists through the affinity port).
    // The tool tables of the very bundle the replicas run (apps/gateway/dist), not the vendors' own builds.
    const bundle = pathToFileURL(join(repoRoot, "apps/gateway/dist/index.js")).href;
    const { vendors } = (await import(bundle)) as { vendors: VendorDefinition<unknown>[] };
    // Per vendor (two vendors may use one tool name): tools that always open a session, and the
    // session-* tools; a tool whose session mode is optional (execute-websocket …) stays, one-shot only.
    const sessionToolsOf = (mount: string) =>
      new Set(
        vendors
          .find((v) => v.name === `${mount}-mcp`)!
          .tools.filter((t) => t.opensSession === true || t.usesSessions)
          .map((t) => t.name),
      );
    for (const mount of ["portainer", "incus", "qovery"]) {
      const sessionTools = sessionToolsOf(mount);
      const list = async (p: number) => {
        const conn = await connect(`http://127.0.0.1:${p}/${mount}/mcp`);
        const names = (await conn.client.listTools()).tools.map((t) => t.name).sort();
        await conn.transport.terminateSession().catch(() => {});
        await conn.transport.close();
        return { names, sessionId: conn.sessionId };
      };
      const full = await list(port.affinity);
      const lean = await list(port.roundRobin);
      expect(full.sessionId).toBeTruthy();
      expect(lean.sessionId).toBeUndefined();
      expect(lean.names).toEqual(full.names.filter((n) => !sessionTools.has(n)));
      if (mount === "portainer") {
        expect(lean.names).toEqual(
          expect.arrayContaining(["execute-websocket", "attach-websocket", "execute-websocket-pod"]),
        );
      }
    }

    const clients = await Promise.all(Array.from({ length: STATELESS_CLIENTS }, () => connect(url(port.roundRobin))));
    let next = 0;
    let errors = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (conn) => {
        while (next < STATELESS_CALLS) {
          next++;
          const t = performance.now();
          try {
            await call(conn);
            latencies.push(performance.now() - t);
          } catch {
            errors++;
          }
        }
      }),
    );
    const wall = performance.now() - t0;
    const calls = clients.flatMap((c) => toolCalls(c.hops));
    const perReplica = count(calls.map((h) => h.instance ?? "?"));
    const statuses = count(calls.map((h) => String(h.status)));
    for (const c of clients) await c.transport.close();

    const sorted = latencies.sort((a, b) => a - b);
    report("stateless", {
      calls: calls.length,
      errors,
      statuses,
      perReplica,
      concurrency: STATELESS_CLIENTS,
      wallMs: round(wall, 0),
      callsPerSecond: round((calls.length / wall) * 1000, 0),
      callMs: { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1)!) },
      upstreamRequests: upstream.requests(),
    });
    expect(calls).toHaveLength(STATELESS_CALLS);
    expect(errors).toBe(0);
    expect(statuses).toEqual({ "200": STATELESS_CALLS });
    expect(Object.keys(perReplica).sort()).toEqual(["s1", "s2", "s3"]);
    // Round-robin per request: each replica gets about a third (initialize/notifications interleave).
    for (const n of Object.values(perReplica)) expect(n).toBeGreaterThan(STATELESS_CALLS / 3 - 60);
  });

  it("never shows the bearer token or the Qovery key in any replica's output", () => {
    for (const r of [...stateful, ...stateless]) {
      expect(r.output()).not.toContain(TOKEN);
      expect(r.output()).not.toContain(QOVERY_KEY);
    }
  });
});

/** Resident memory of a live replica (for the Deployment's requests/limits). */
function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
