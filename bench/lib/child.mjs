import { spawn } from "node:child_process";

/** Starts a helper process that prints one JSON line when ready; resolves with it and the child. */
export function startHelper(script, args = [], { env } = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    env: env ?? process.env,
  });
  const lines = [];
  const waiters = [];
  let buf = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => {
    buf += d;
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
      const w = waiters.shift();
      if (w) w.resolve(line);
      else lines.push(line);
    }
  });
  child.on("exit", (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`${script} exited (${code}): ${stderr.slice(-800)}`));
  });
  const next = () =>
    new Promise((resolve, reject) => {
      if (lines.length) return resolve(lines.shift());
      if (child.exitCode !== null)
        return reject(new Error(`${script} exited (${child.exitCode}): ${stderr.slice(-800)}`));
      waiters.push({ resolve, reject });
    });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.stdin.end();
      setTimeout(() => child.kill("SIGKILL"), 2_000).unref();
    });
  return {
    child,
    next,
    stop,
    get stderr() {
      return stderr;
    },
  };
}

/** Runs a script to completion and returns its last JSON line. */
export function runJson(script, args = [], { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop();
      if (code !== 0 || !last)
        return reject(new Error(`${script} ${args.join(" ")} failed (${code}): ${err.slice(-800)}`));
      resolve(JSON.parse(last));
    });
  });
}
