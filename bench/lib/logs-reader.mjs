// One read of a container's log stream through the Portainer-protocol front, in a process of its
// own. Prints {bytes, ms, maxRssBytes[, serverMaxRssBytes, reads, missedBytes]}.
//   direct <frontUrl> <apiKey> <container> <bytes>
//     GET /api/endpoints/1/docker/containers/<c>/logs?tail=all with fetch (undici, the library the
//     server uses), streamed and demultiplexed, until <bytes> payload arrived. Not follow=1:
//     Portainer's proxy never flushes, so a follow stream holds back its last few KiB until more
//     is logged (the front does the same); a client that wants the whole log now asks for a
//     finished answer, which is also what the server's follow session does on every poll.
//   mcp <frontUrl> <apiKey> <container> <bytes> <bin>
//     portainer-mcp over stdio: get-container-logs {follow:true, tail:"all"}, then session-read
//     from offset 0 by nextOffset (1 MiB per read, the tool's maximum) until <bytes> arrived.
//     The server's peak RSS (VmHWM) is read from /proc before it is closed.
import { readFile } from "node:fs/promises";
import { startStdio } from "./stdio.mjs";

const [mode, frontUrl, apiKey, container, bytesArg, bin] = process.argv.slice(2);
const want = Number(bytesArg);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const out = (o) =>
  process.stdout.write(
    `${JSON.stringify({ ...o, cpuMs: cpuMs(), maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
  );
/** CPU time (ms) a live process has used, from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms). */
async function cpuMsOf(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

if (mode === "direct" || mode === "direct-ts") {
  const controller = new AbortController();
  const t0 = performance.now();
  const res = await fetch(
    `${frontUrl}/api/endpoints/1/docker/containers/${container}/logs?stdout=1&stderr=1&tail=all${mode === "direct-ts" ? "&timestamps=1" : ""}`,
    { headers: { "X-API-Key": apiKey }, signal: controller.signal },
  );
  if (!res.ok) throw new Error(`logs answered ${res.status}: ${await res.text()}`);
  // Docker's multiplexed stream: [stream, 0, 0, 0, size uint32 BE] then size payload bytes.
  let payload = 0;
  let header = Buffer.alloc(0);
  let remaining = 0;
  let inStamp = false;
  const reader = res.body.getReader();
  let timestamped = 0; // bytes of "<time> " prefixes (direct-ts)
  const stamped = mode === "direct-ts";
  while (payload - timestamped < want) {
    const { value, done } = await reader.read();
    if (done) break;
    let p = 0;
    while (p < value.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, value.length - p);
        // json-file sends one frame per line: with timestamps, each frame starts with "<time> ".
        if (inStamp) {
          const sp = value.subarray(p, p + take).indexOf(0x20);
          timestamped += sp < 0 ? take : sp + 1;
          inStamp = sp < 0;
        }
        payload += take;
        remaining -= take;
        p += take;
        continue;
      }
      const part = Buffer.from(value.buffer, value.byteOffset + p, Math.min(8 - header.length, value.length - p));
      header = header.length ? Buffer.concat([header, part]) : part;
      p += part.length;
      if (header.length < 8) break;
      if (header[0] > 3) throw new Error(`not a multiplexed stream (header ${header.toString("hex")})`);
      remaining = header.readUInt32BE(4);
      inStamp = stamped;
      header = Buffer.alloc(0);
    }
  }
  const ms = performance.now() - t0;
  controller.abort();
  // direct-ts asks for the engine's timestamps, as each poll of the follow session does: the
  // payload then has a time before every line; `bytes` counts the log's own bytes only.
  out({ bytes: mode === "direct-ts" ? payload - timestamped : payload, wireBytes: payload, ms });
  process.exit(0);
} else if (mode === "mcp") {
  // LOGS_BENCH_CPU_PROF=<dir>: the server runs under --cpu-prof (what the section's profile came from).
  const prof = process.env.LOGS_BENCH_CPU_PROF;
  const server = startStdio(process.execPath, [...(prof ? ["--cpu-prof", "--cpu-prof-dir", prof] : []), bin], {
    env: { ...process.env, PORTAINER_URL: frontUrl, PORTAINER_API_KEY: apiKey },
  });
  await server.handshake(60_000);
  const serverCpuAtStart = await cpuMsOf(server.child.pid);
  const clientCpuAtStart = cpuMs();
  const t0 = performance.now();
  const opened = await server.request(
    "tools/call",
    { name: "get-container-logs", arguments: { endpointId: 1, containerId: container, follow: true, tail: "all" } },
    60_000,
  );
  const sessionId = opened.msg.result?.structuredContent?.sessionId;
  if (!sessionId) throw new Error(`no session opened: ${JSON.stringify(opened.msg).slice(0, 400)}`);
  let offset = 0;
  let reads = 0;
  let missedBytes = 0;
  while (offset < want) {
    const r = await server.request(
      "tools/call",
      { name: "session-read", arguments: { sessionId, offset, maxBytes: 1_048_576, waitMs: 5_000 } },
      60_000,
    );
    const s = r.msg.result?.structuredContent;
    if (!s || r.msg.result?.isError) throw new Error(`session-read failed: ${JSON.stringify(r.msg).slice(0, 400)}`);
    if (s.encoding !== "utf8") throw new Error(`session-read answered ${s.encoding}`);
    missedBytes += s.missedBytes;
    reads++;
    if (s.nextOffset === offset && s.state === "exited") break;
    offset = s.nextOffset;
  }
  const ms = performance.now() - t0;
  const status = await readFile(`/proc/${server.child.pid}/status`, "utf8");
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
  const serverCpuMs = (await cpuMsOf(server.child.pid)) - serverCpuAtStart;
  const clientCpuMs = cpuMs() - clientCpuAtStart;
  await server.close();
  // Bytes delivered without loss: what was skipped over (missedBytes) does not count as read.
  out({ bytes: offset - missedBytes, ms, serverMaxRssBytes: hwm, serverCpuMs, clientCpuMs, reads, missedBytes });
  process.exit(0);
} else throw new Error(`unknown mode ${mode}`);
