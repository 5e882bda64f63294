// A minimal MCP client over stdio: newline-delimited JSON-RPC, no SDK, so the numbers measure
// the server under test rather than a client library.
import { spawn } from "node:child_process";

export const PROTOCOL_VERSION = "2025-06-18";

export function initializeMessage(id = 1) {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "infra-mcp-bench", version: "0.0.0" },
    },
  };
}

/**
 * Spawns `command args` and speaks JSON-RPC to it. `request()` resolves with the raw response
 * line's parsed object; `t0` is the hrtime (ns) just before spawn().
 */
export function startStdio(command, args, { env, cwd } = {}) {
  const t0 = process.hrtime.bigint();
  const child = spawn(command, args, {
    stdio: ["pipe", "pipe", "pipe"],
    env: env ?? process.env,
    ...(cwd ? { cwd } : {}),
  });
  const pending = new Map();
  let nextId = 1;
  // Lines are cut from Buffers and a new chunk is searched only for its own newline, so a
  // megabyte-sized answer (a session-read of 1 MiB) costs linear time, not a rescan per chunk.
  let parts = [];
  let stderr = "";
  let exited = null;
  const onLine = (line, bytes) => {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // a server that logs to stdout: ignore non-JSON lines
    }
    if (msg.id !== undefined && pending.has(msg.id)) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p.resolve({ msg, bytes, at: process.hrtime.bigint() });
    }
  };
  child.stdout.on("data", (chunk) => {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      const bytes = parts.length ? Buffer.concat([...parts, piece]) : piece;
      parts = [];
      from = nl + 1;
      onLine(bytes.toString("utf8"), bytes.length);
    }
    if (from < chunk.length) parts.push(chunk.subarray(from));
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    if (stderr.length < 20_000) stderr += d;
  });
  child.stdin.on("error", () => {});
  child.on("error", (err) => {
    exited = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  child.on("exit", (code, signal) => {
    exited = { code, signal };
    const err = new Error(`server exited (code ${code}, signal ${signal}) before answering: ${stderr.slice(-600)}`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  const send = (obj) => child.stdin.write(`${JSON.stringify(obj)}\n`);
  const api = {
    child,
    t0,
    get stderr() {
      return stderr;
    },
    get exited() {
      return exited;
    },
    notify(method, params) {
      send({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
    },
    request(method, params, timeoutMs = 15_000) {
      const id = method === "initialize" ? 0 : nextId++;
      const msg =
        method === "initialize" ? initializeMessage(id) : { jsonrpc: "2.0", id, method, ...(params ? { params } : {}) };
      return new Promise((resolve, reject) => {
        if (exited) return reject(new Error(`server already exited: ${stderr.slice(-600)}`));
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${method} timed out after ${timeoutMs} ms; stderr: ${stderr.slice(-600)}`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        send(msg);
      });
    },
    /** initialize → notifications/initialized → tools/list, as a client does at start. */
    async handshake(timeoutMs = 15_000) {
      const init = await api.request("initialize", undefined, timeoutMs);
      if (init.msg.error) throw new Error(`initialize failed: ${JSON.stringify(init.msg.error)}`);
      api.notify("notifications/initialized");
      const list = await api.request("tools/list", {}, timeoutMs);
      if (list.msg.error) throw new Error(`tools/list failed: ${JSON.stringify(list.msg.error)}`);
      return { init, list, ms: Number(list.at - t0) / 1e6 };
    },
    /** Closes stdin, then kills if the server lingers; resolves once the process is gone. */
    close(graceMs = 1_000) {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin.end();
        child.kill("SIGTERM");
      });
    },
  };
  return api;
}

/** Resident set size of a live process (bytes), from /proc. */
export async function rssOf(pid) {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}
