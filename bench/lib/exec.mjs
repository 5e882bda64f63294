// Exec against the native client: incus-mcp's exec-in-instance (a warm server over stdio, the way
// an agent uses it) against `incus exec` (the Go CLI) running the same command in the same
// instance, alternating call by call so both see the same noise. The CLI pays its process start on
// every call, which is exactly what an agent shelling out to it would pay.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { summarize } from "./stats.mjs";
import { startStdio } from "./stdio.mjs";

const run = promisify(execFile);

export async function incusExecBench(binPath, { instance = "c1", calls = 40, warmup = 5, command = ["echo", "hi"] } = {}) {
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
    return { mcp: summarize(mcp), cli: summarize(cli), calls, command };
  } finally {
    await server.close();
  }
}
