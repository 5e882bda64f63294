// HTTP transport under load: N concurrent MCP sessions over Streamable HTTP, each calling one
// tool back to back for a fixed time. Reports throughput, latency percentiles and errors.
import { Agent, fetch } from "undici";
import { summarize } from "./stats.mjs";
import { PROTOCOL_VERSION } from "./stdio.mjs";

const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

function parseBody(text, contentType) {
  if ((contentType ?? "").includes("text/event-stream")) {
    const line = text.split("\n").find((l) => l.startsWith("data: "));
    return line ? JSON.parse(line.slice(6)) : undefined;
  }
  return text ? JSON.parse(text) : undefined;
}

/**
 * `stateless`: the server keeps no sessions (MCP_STATELESS), so each client just posts tools/call
 * without initialize or a session id, as a stateless client behind a load balancer does.
 * `warmup`: calls each client makes, all clients at once, before the clock starts (not in the
 * latencies; reported apart as `warmupLatency`). The first burst on a fresh process (its upstream
 * connections opened, lazily loaded code compiled) is start-up, which the cold-start section
 * measures; without it a stateful subject is warmed by its initialize requests and a stateless one
 * is not, and the burst alone is about 1% of a 20 s run, so p99 measures it instead of the load.
 */
export async function httpLoad(
  url,
  { sessions = 200, seconds = 20, tool, args = {}, headers = {}, stateless = false, warmup = 1 },
) {
  const dispatcher = new Agent({ connections: sessions + 8, keepAliveTimeout: 30_000, pipelining: 1 });
  const post = async (sid, body) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...HEADERS, ...headers, ...(sid ? { "mcp-session-id": sid } : {}) },
      body: JSON.stringify(body),
      dispatcher,
    });
    const text = await res.text();
    return {
      status: res.status,
      sid: res.headers.get("mcp-session-id"),
      msg: parseBody(text, res.headers.get("content-type")),
    };
  };
  const latencies = [];
  const errors = new Map();
  const err = (why) => errors.set(why, (errors.get(why) ?? 0) + 1);
  const open = async () => {
    const init = await post(undefined, {
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "bench-load", version: "0" } },
    });
    if (init.status !== 200 || !init.sid)
      throw new Error(`initialize: HTTP ${init.status} ${JSON.stringify(init.msg)}`);
    await post(init.sid, { jsonrpc: "2.0", method: "notifications/initialized" });
    return init.sid;
  };
  const sids = [];
  if (stateless) sids.push(...Array.from({ length: sessions }, () => undefined));
  else
    for (let i = 0; i < sessions; i += 20) {
      sids.push(...(await Promise.all(Array.from({ length: Math.min(20, sessions - i) }, open))));
    }
  const warmupLatencies = [];
  let id = 1;
  const call = (sid) =>
    post(sid, { jsonrpc: "2.0", id: id++, method: "tools/call", params: { name: tool, arguments: args } });
  for (let w = 0; w < warmup; w++) {
    await Promise.all(
      sids.map(async (sid) => {
        const t = performance.now();
        const r = await call(sid).catch((e) => ({ status: 0, error: e }));
        if (r.status !== 200 || r.msg?.error || r.msg?.result?.isError) err(`warm-up: HTTP ${r.status}`);
        else warmupLatencies.push(performance.now() - t);
      }),
    );
  }
  let calls = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    sids.map(async (sid) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          const r = await call(sid);
          if (r.status !== 200) err(`HTTP ${r.status}`);
          else if (r.msg?.error) err(`JSON-RPC ${r.msg.error.code}`);
          else if (r.msg?.result?.isError) err("tool error");
          else latencies.push(performance.now() - t);
        } catch (e) {
          err(e.cause?.code ?? e.code ?? e.message);
        }
        calls++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(
    sids
      .filter(Boolean)
      .map((sid) => fetch(url, { method: "DELETE", headers: { "mcp-session-id": sid }, dispatcher }).catch(() => {})),
  );
  await dispatcher.close();
  return {
    sessions,
    seconds: elapsed,
    calls,
    ok: latencies.length,
    throughput: latencies.length / elapsed,
    latency: summarize(latencies),
    latencies,
    warmupLatency: summarize(warmupLatencies),
    warmupLatencies,
    errors: Object.fromEntries(errors),
    errorCount: [...errors.values()].reduce((a, b) => a + b, 0),
  };
}
