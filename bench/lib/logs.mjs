// Followed logs: portainer-mcp's get-container-logs {follow:true} session read through
// session-read over MCP stdio, against a direct read of the same Docker log stream through the
// same Portainer-protocol front (streamed, demultiplexed, no MCP). A busybox container writes
// the whole volume to its log first and then stays running, so both readers follow a live
// container and are timed from their first request to the last byte of the volume.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runJson, startHelper } from "./child.mjs";

const run = promisify(execFile);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
/** 127 characters and a newline: every line is 128 bytes, so a volume in MiB is whole lines. */
const LINE = `bench log line ${"x".repeat(127 - 15 - 6)} done.`;
if (LINE.length !== 127) throw new Error(`line is ${LINE.length} bytes`);

async function logContainer(name, bytes) {
  await run("docker", ["rm", "-f", name]).catch(() => {});
  await run(
    "docker",
    [
      ...["run", "-d", "--network", "none", "--name", name, "busybox:local", "sh", "-c"],
      `yes '${LINE}' | head -c ${bytes}; touch /written; exec sleep 3600`,
    ],
    { timeout: 30_000 },
  );
  const deadline = Date.now() + 300_000;
  for (;;) {
    const done = await run("docker", ["exec", name, "test", "-f", "/written"]).then(
      () => true,
      () => false,
    );
    if (done) break;
    if (Date.now() > deadline) throw new Error(`${name} did not finish writing ${bytes} bytes in 5 min`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // The engine's log copier may still be a little behind the pipe; both readers follow anyway.
  await new Promise((r) => setTimeout(r, 1_000));
}

export async function portainerLogsBench(binPath, frontScript, { sizesMiB = [16, 64], runs = 3 } = {}) {
  try {
    await run("docker", ["image", "inspect", "busybox:local"], { timeout: 15_000 });
  } catch (error) {
    return { skipped: `no Docker engine with busybox:local (${String(error.message).split("\n")[0]})` };
  }
  const apiKey = "ptr_bench_key_0123456789abcdef";
  const front = startHelper(frontScript, [apiKey]);
  const names = [];
  const results = [];
  try {
    const { url } = await front.next();
    for (const mib of sizesMiB) {
      const bytes = mib * 1024 * 1024;
      const name = `bench-logs-${process.pid}-${mib}`;
      names.push(name);
      await logContainer(name, bytes);
      const samples = { direct: [], mcp: [] };
      for (let r = 0; r < runs; r++) {
        // Alternate which reader goes first, so a noisy moment hits both.
        for (const mode of r % 2 ? ["mcp", "direct"] : ["direct", "mcp"]) {
          const args = [mode, url, apiKey, name, String(bytes), ...(mode === "mcp" ? [binPath] : [])];
          const x = await runJson(here("./logs-reader.mjs"), args, { timeoutMs: 600_000 });
          if (x.bytes !== bytes)
            throw new Error(`${mode} read ${x.bytes} of ${bytes} bytes (missed ${x.missedBytes ?? 0})`);
          samples[mode].push(x);
        }
      }
      const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const rate = (s) => median(s.map((x) => x.bytes / (x.ms / 1000)));
      results.push({
        mib,
        direct: { bytesPerSec: rate(samples.direct), maxRssBytes: Math.max(...samples.direct.map((x) => x.maxRssBytes)) },
        mcp: {
          bytesPerSec: rate(samples.mcp),
          serverMaxRssBytes: Math.max(...samples.mcp.map((x) => x.serverMaxRssBytes)),
          clientMaxRssBytes: Math.max(...samples.mcp.map((x) => x.maxRssBytes)),
          reads: median(samples.mcp.map((x) => x.reads)),
        },
      });
    }
  } finally {
    await front.stop();
    for (const name of names) await run("docker", ["rm", "-f", name]).catch(() => {});
  }
  return { runs, lineBytes: LINE.length + 1, results };
}
