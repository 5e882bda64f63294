// One read of the Incus daemon's `logging` event stream while incus-events-gen.mjs makes about
// <bytes> of events, in a process of its own. Counts the bytes of this run's events (the ones
// naming <marker>) from the first to the end marker. Prints {bytes, events, ms, cpuMs, ...}.
//   direct <socket> <bytes>         a ws client on ws+unix://<socket>:/1.0/events?type=logging
//   mcp <socket> <bytes> <bin>      incus-mcp: open-events-session {type:["logging"]}, then
//                                   session-read by nextOffset (1 MiB per read)
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { startStdio } from "./stdio.mjs";

const [mode, socketPath, bytesArg, bin] = process.argv.slice(2);
const marker = `benchmark${process.pid}x${Date.now()}`;
const endLine = `${marker}=end`;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
async function cpuMsOf(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const generate = () =>
  new Promise((resolve, reject) => {
    const gen = spawn(
      process.execPath,
      [fileURLToPath(new URL("./incus-events-gen.mjs", import.meta.url)), socketPath, bytesArg, marker],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    gen.stdout.on("data", (d) => {
      out += d;
    });
    gen.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`generator exited ${code}`))));
  });

/** Counts this run's events among lines; resolves `done` at the end marker. */
function counter() {
  const c = { bytes: 0, events: 0, t0: 0, t1: 0, done: false };
  c.line = (line) => {
    if (!line.includes(marker)) return;
    if (!c.t0) c.t0 = performance.now();
    if (line.includes(endLine)) {
      c.t1 = performance.now();
      c.done = true;
      return;
    }
    c.bytes += Buffer.byteLength(line);
    c.events++;
  };
  return c;
}
const out = (o) =>
  process.stdout.write(
    `${JSON.stringify({ ...o, cpuMs: cpuMs(), maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
  );

if (mode === "direct") {
  const c = counter();
  const ws = new WebSocket(`ws+unix://${socketPath}:/1.0/events?type=logging`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const finished = new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      for (const line of data.toString("utf8").split("\n")) if (line) c.line(line);
      if (c.done) resolve();
    });
    ws.on("close", () => reject(new Error("the daemon closed the event stream")));
  });
  const cpu0 = cpuMs();
  const gen = await generate();
  await finished;
  ws.terminate();
  out({ bytes: c.bytes, events: c.events, ms: c.t1 - c.t0, readerCpuMs: cpuMs() - cpu0, requests: gen.requests });
  process.exit(0);
} else if (mode === "mcp") {
  // The events toolset is off by default; the bench turns it on like a user would.
  // LOGS_BENCH_CPU_PROF=<dir>: the server runs under --cpu-prof.
  const prof = process.env.LOGS_BENCH_CPU_PROF;
  const server = startStdio(process.execPath, [...(prof ? ["--cpu-prof", "--cpu-prof-dir", prof] : []), bin], {
    env: { ...process.env, INCUS_SOCKET: socketPath, MCP_TOOLSETS: "events,sessions" },
  });
  await server.handshake(60_000);
  const opened = await server.request(
    "tools/call",
    { name: "open-events-session", arguments: { type: ["logging"] } },
    60_000,
  );
  const sessionId = opened.msg.result?.structuredContent?.sessionId;
  if (!sessionId) throw new Error(`no session opened: ${JSON.stringify(opened.msg).slice(0, 400)}`);
  const c = counter();
  const serverCpu0 = await cpuMsOf(server.child.pid);
  const cpu0 = cpuMs();
  const gen = generate();
  let offset = 0;
  let reads = 0;
  let missedBytes = 0;
  let partial = "";
  while (!c.done) {
    const r = await server.request(
      "tools/call",
      { name: "session-read", arguments: { sessionId, offset, maxBytes: 1_048_576, waitMs: 5_000 } },
      60_000,
    );
    const s = r.msg.result?.structuredContent;
    if (!s || r.msg.result?.isError) throw new Error(`session-read failed: ${JSON.stringify(r.msg).slice(0, 400)}`);
    if (s.state === "exited") throw new Error("the event session ended");
    reads++;
    missedBytes += s.missedBytes;
    if (s.missedBytes) partial = ""; // the rest of a cut line was dropped
    // The output is the text after its first line (structuredContent says where it came from).
    const text = r.msg.result.content[0].text;
    const lines = (partial + text.slice(text.indexOf("\n") + 1)).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line) c.line(line);
    offset = s.nextOffset;
  }
  const { requests } = await gen;
  const status = await readFile(`/proc/${server.child.pid}/status`, "utf8");
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
  const serverCpuMs = (await cpuMsOf(server.child.pid)) - serverCpu0;
  const readerCpuMs = cpuMs() - cpu0;
  await server.close();
  out({
    bytes: c.bytes,
    events: c.events,
    ms: c.t1 - c.t0,
    serverMaxRssBytes: hwm,
    serverCpuMs,
    readerCpuMs,
    reads,
    missedBytes,
    requests,
  });
  process.exit(0);
} else throw new Error(`unknown mode ${mode}`);
