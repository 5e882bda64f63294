// Exec against the native client: incus-mcp's exec-in-instance (a warm server over stdio, the way
// an agent uses it) against `incus exec` (the Go CLI) running the same command in the same
// instance, alternating call by call so both see the same noise. The CLI pays its process start on
// every call, which is exactly what an agent shelling out to it would pay.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { summarize } from "./stats.mjs";
import { startStdio } from "./stdio.mjs";

const run = promisify(execFile);

/** Times two ways of doing the same thing, call by call in alternating order, after a warm-up. */
async function alternate(viaMcp, viaCli, { calls, warmup }) {
  for (let i = 0; i < warmup; i++) {
    await viaMcp();
    await viaCli();
  }
  const mcp = [];
  const cli = [];
  for (let i = 0; i < calls; i++) {
    if (i % 2) {
      mcp.push(await viaMcp());
      cli.push(await viaCli());
    } else {
      cli.push(await viaCli());
      mcp.push(await viaMcp());
    }
  }
  return { mcp: summarize(mcp), cli: summarize(cli) };
}

export async function incusExecBench(
  binPath,
  { instance = "c1", calls = 40, warmup = 5, command = ["echo", "hi"] } = {},
) {
  try {
    await run("incus", ["exec", instance, "--", "true"], { timeout: 15_000 });
  } catch (error) {
    return { skipped: `no Incus instance ${instance} to exec in (${String(error.message).split("\n")[0]})` };
  }
  const server = startStdio(process.execPath, [binPath], { env: { ...process.env } });
  try {
    await server.handshake();
    const viaMcp = async () => {
      const t = performance.now();
      const r = await server.request("tools/call", { name: "exec-in-instance", arguments: { instance, command } });
      const ms = performance.now() - t;
      const out = r.msg.result?.structuredContent;
      if (r.msg.error || r.msg.result?.isError || out?.exitCode !== 0 || out?.stdout !== "hi\n")
        throw new Error(`exec-in-instance failed: ${JSON.stringify(r.msg).slice(0, 400)}`);
      return ms;
    };
    const viaCli = async () => {
      const t = performance.now();
      const { stdout } = await run("incus", ["exec", instance, "--", ...command], { timeout: 15_000 });
      const ms = performance.now() - t;
      if (stdout !== "hi\n") throw new Error(`incus exec printed ${JSON.stringify(stdout)}`);
      return ms;
    };
    return { ...(await alternate(viaMcp, viaCli, { calls, warmup })), calls, command };
  } finally {
    await server.close();
  }
}

/**
 * portainer-mcp's execute-websocket (warm server → Portainer-protocol front → Docker's hijacked
 * exec) against `docker exec` (the CLI straight to the engine) in the same container. Real
 * Portainer cannot run in CI, so the front stands in for it; the ratio is reported, not targeted.
 */
export async function portainerExecBench(binPath, frontScript, { calls = 40, warmup = 5 } = {}) {
  const { startHelper } = await import("./child.mjs");
  const name = `bench-exec-${process.pid}`;
  try {
    await run("docker", ["rm", "-f", name]).catch(() => {});
    await run("docker", ["run", "-d", "--network", "none", "--name", name, "busybox:local", "sleep", "3600"], {
      timeout: 30_000,
    });
  } catch (error) {
    return { skipped: `no Docker engine with busybox:local (${String(error.message).split("\n")[0]})` };
  }
  const apiKey = "ptr_bench_key_0123456789abcdef";
  const front = startHelper(frontScript, [apiKey]);
  let server;
  try {
    const { url } = await front.next();
    server = startStdio(process.execPath, [binPath], {
      env: { ...process.env, PORTAINER_URL: url, PORTAINER_API_KEY: apiKey },
    });
    await server.handshake();
    const viaMcp = async () => {
      const t = performance.now();
      const r = await server.request("tools/call", {
        name: "execute-websocket",
        arguments: { endpointId: 1, containerId: name, command: ["echo", "hi"] },
      });
      const ms = performance.now() - t;
      const out = r.msg.result?.structuredContent;
      if (
        r.msg.error ||
        r.msg.result?.isError ||
        out?.exitCode !== 0 ||
        !String(out?.output ?? out?.stdout).includes("hi")
      )
        throw new Error(`execute-websocket failed: ${JSON.stringify(r.msg).slice(0, 400)}`);
      return ms;
    };
    const viaCli = async () => {
      const t = performance.now();
      const { stdout } = await run("docker", ["exec", name, "echo", "hi"], { timeout: 15_000 });
      const ms = performance.now() - t;
      if (stdout !== "hi\n") throw new Error(`docker exec printed ${JSON.stringify(stdout)}`);
      return ms;
    };
    return { ...(await alternate(viaMcp, viaCli, { calls, warmup })), calls };
  } finally {
    await server?.close();
    await front.stop();
    await run("docker", ["rm", "-f", name]).catch(() => {});
  }
}
