// Tool-call overhead: qovery-mcp's list-containers through MCP over stdio against a loopback
// upstream, alternating call by call with the same HTTP requests made directly with ky (the
// tool makes two GETs in parallel: the list and its status), so both see the same noise.
import ky from "ky";
import { environmentId, startQoveryUpstream } from "./qovery-upstream.mjs";
import { summarize } from "./stats.mjs";
import { startStdio } from "./stdio.mjs";

export const FAKE_KEY = "bench-fake-qovery-key-0123456789";

export async function toolCallBench(binPath, { calls = 1500, warmup = 200 } = {}) {
  const upstream = await startQoveryUpstream();
  const server = startStdio(process.execPath, [binPath], {
    env: { ...process.env, QOVERY_API_URL: upstream.url, QOVERY_API_KEY: FAKE_KEY },
  });
  try {
    const hs = await server.handshake();
    if (!hs.list.msg.result.tools.some((t) => t.name === "list-containers"))
      return { skipped: "no list-containers tool" };
    const direct = ky.create({ prefix: upstream.url, headers: { authorization: `Token ${FAKE_KEY}` }, retry: 0 });
    const base = `environment/${environmentId}/container`;
    const viaMcp = async () => {
      const t = performance.now();
      const r = await server.request("tools/call", { name: "list-containers", arguments: { environmentId } });
      const ms = performance.now() - t;
      if (r.msg.error || r.msg.result?.isError)
        throw new Error(`list-containers failed: ${JSON.stringify(r.msg).slice(0, 400)}`);
      return ms;
    };
    const viaKy = async () => {
      const t = performance.now();
      await Promise.all([direct.get(base).json(), direct.get(`${base}/status`).json()]);
      return performance.now() - t;
    };
    for (let i = 0; i < warmup; i++) {
      await viaMcp();
      await viaKy();
    }
    const mcp = [];
    const kyT = [];
    for (let i = 0; i < calls; i++) {
      if (i % 2) {
        mcp.push(await viaMcp());
        kyT.push(await viaKy());
      } else {
        kyT.push(await viaKy());
        mcp.push(await viaMcp());
      }
    }
    return { mcp: summarize(mcp), ky: summarize(kyT), calls, upstreamRequests: upstream.requests };
  } finally {
    await server.close();
    await upstream.close();
  }
}
