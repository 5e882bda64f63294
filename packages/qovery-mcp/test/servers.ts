/** Loopback servers for the suites: a request recorder, Prism's mock of the spec, a status proxy. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { freePort, type RecordedRequest, RecordingUpstream } from "@infra-mcp/core/testing";
import type { CapturedRequest } from "./openapi.js";

/** A recognisable fake credential: no result, error or log line may ever contain it. */
export const FAKE_TOKEN = "qov-FAKE-token-7f3a9c21d4e8b605-DO-NOT-LEAK";

export const BIN = fileURLToPath(new URL("../bin.cjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../dist/cli.cjs", import.meta.url));
const PRISM = fileURLToPath(new URL("../node_modules/.bin/prism", import.meta.url));

export function requireBuild(): void {
  if (!existsSync(BUILT)) throw new Error("dist/cli.cjs is missing: run `pnpm --filter qovery-mcp build` first");
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

export { freePort };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export type Responder = (req: CapturedRequest) => { status: number; body?: unknown } | "hang";

export interface Recorder {
  url: string;
  requests: CapturedRequest[];
  respond: Responder;
  close(): Promise<void>;
}

/**
 * Core's recording upstream, with each request also kept as the contract tests read it (path,
 * query, parsed JSON body) and answered by `respond` (or never, for "hang").
 */
export async function startRecorder(respond: Responder = () => ({ status: 200, body: {} })): Promise<Recorder> {
  const up = new RecordingUpstream({ maxBodyBytes: 16 * 1024 * 1024 });
  const hanging = new Set<ServerResponse>();
  const rec: Recorder = {
    url: "",
    requests: [],
    respond,
    close: async () => {
      for (const r of hanging) r.destroy();
      await up.close();
    },
  };
  up.handler = (req, res) => {
    const raw = up.requests[up.requests.length - 1] as RecordedRequest;
    req.on("end", () => {
      const url = new URL(raw.url || "/", "http://x");
      const captured: CapturedRequest = {
        method: raw.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: raw.headers,
        body: raw.body ? JSON.parse(raw.body) : undefined,
      };
      rec.requests.push(captured);
      const answer = rec.respond(captured);
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  };
  rec.url = await up.listen();
  return rec;
}

export interface Prism {
  url: string;
  log: () => string;
  close(): Promise<void>;
}

/** `prism mock` of qovery-openapi.yaml on a free loopback port. */
export async function startPrism(specPath: string): Promise<Prism> {
  const port = await freePort();
  const child: ChildProcess = spawn(PRISM, ["mock", "-h", "127.0.0.1", "-p", String(port), specPath], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start in 60 s:\n${log.slice(-2000)}`)), 60_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited (${code}):\n${log.slice(-2000)}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    close: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
    },
  };
}

/**
 * A pass-through to Prism that turns a path prefix `/__code/NNN` into Prism's `Prefer: code=NNN`
 * header, so a server pointed at http://proxy/__code/404 gets the spec's 404 for every call.
 */
export async function startCodeProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const t = new URL(target);
  const server = createServer(async (req, res) => {
    const m = /^\/__code\/(\d{3})(\/.*)$/.exec(req.url ?? "/");
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: t.host };
    if (m) headers.prefer = `code=${m[1]}`;
    const body = await readBody(req);
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: m ? m[2] : req.url, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    up.end(body);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
