import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort, waitFor as waitUntil } from "@infra-mcp/core/testing";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const gatewayBin = join(repoRoot, "apps/gateway/bin.js");
export const run = promisify(execFile);

export { freePort };

/** Until `probe` gives a value; while what it probes is starting, a probe that throws is "not yet". */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  return waitUntil(probe, { what, timeoutMs, intervalMs: 100, retryErrors: true }) as Promise<T>;
}

export async function healthy(url: string, headers: Record<string, string> = {}): Promise<true | undefined> {
  const r = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
  await r.body?.cancel();
  return r.ok ? true : undefined;
}

export interface Child {
  proc: ChildProcess;
  /** stderr + stdout so far (for failure messages and secret checks). */
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function child(cmd: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  proc.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export interface Replica extends Child {
  id: string;
  port: number;
}

/** One gateway process on 127.0.0.1:<port>, MCP only, with MCP_INSTANCE_ID=<id>. */
export async function startReplica(id: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<Replica> {
  const port = await freePort();
  const c = child(process.execPath, [gatewayBin, "--port", String(port), "--no-rest", ...args], {
    ...process.env,
    ...env,
    MCP_INSTANCE_ID: id,
  });
  await Promise.race([
    waitFor(`replica ${id}`, () => healthy(`http://127.0.0.1:${port}/healthz`)),
    c.exited.then((code) => {
      throw new Error(`replica ${id} exited with ${code}: ${c.output()}`);
    }),
  ]);
  return { ...c, id, port };
}

/** A loopback stand-in for the Qovery API: the one route the tests call, plus a request count. */
export async function fakeQovery(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const settings = {
    "deployment.termination_grace_period_seconds": 60,
    "network.ingress.proxy_body_size_mb": 100,
    "hpa.cpu.average_utilization_percent": 60,
    "security.read_only_root_filesystem": false,
  };
  const server = http.createServer((req, res) => {
    requests++;
    if (req.method === "GET" && req.url === "/defaultContainerAdvancedSettings") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(settings));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"message":"not found"}');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Nginx extends Child {
  dir: string;
}

/**
 * The Debian nginx binary as a foreground child (`daemon off`, no master fork), every path it
 * writes (pid, temp dirs, logs) inside a fresh temp dir. `http` is the body of the http {} block.
 */
export async function startNginx(http: string, ports: number[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "deploy-nginx-"));
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${http}
}
`;
  writeFileSync(join(dir, "nginx.conf"), conf);
  await run(nginxBin(), ["-t", "-e", "stderr", "-p", dir, "-c", join(dir, "nginx.conf")]).catch(
    (error: { stderr?: string }) => {
      throw new Error(`nginx -t failed: ${error.stderr}\n${conf}`);
    },
  );
  const c = child(nginxBin(), ["-e", "stderr", "-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], {
    ...process.env,
  });
  for (const port of ports) {
    await Promise.race([
      waitFor(`nginx on ${port}`, () => tcpOpen(port)),
      c.exited.then((code) => {
        throw new Error(`nginx exited with ${code}: ${c.output()}`);
      }),
    ]);
  }
  return {
    ...c,
    dir,
    async stop(signal: NodeJS.Signals = "SIGQUIT") {
      const code = await c.stop(signal);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

export function nginxBin(): string {
  return process.env.NGINX_BIN ?? "/usr/sbin/nginx";
}

function tcpOpen(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(undefined));
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Prints measured numbers and keeps them in deploy/.results/<name>.json (git-ignored) for the README. */
export function report(name: string, data: unknown): void {
  const dir = join(repoRoot, "deploy/.results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(`[deploy:${name}] ${JSON.stringify(data)}\n`);
}
