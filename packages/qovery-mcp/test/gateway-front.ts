/**
 * A Qovery websocket gateway front for the tests, written from qovery-websocket-openapi.yaml and
 * from what Qovery's CLI does against the real gateway (Qovery's gateway is a SaaS, unreachable
 * from here):
 * - the parameters the spec lists for /service/logs and /shell/exec arrive in the QUERY string
 *   (the spec file says "path"); every one not nullable in the spec must be there, uuids must be
 *   uuids, `command` is repeated, tty sizes are integers ≥ 0; anything else is a protocol problem;
 * - the upgrade must carry `Authorization: Token <token>` (or Bearer); otherwise it is refused 401;
 * - a service the gateway does not know is accepted and then closed 1007 (the CLI reads 1007/1008
 *   as "permission denied");
 * - logs are JSON text frames shaped like ServiceLogResponseDto (created_at in unix ms);
 * - a shell runs the command in a real container (`docker exec -i`), sends its output as binary
 *   frames, takes stdin from binary frames, and closes 1000 when the command exits. EOT (0x04) is
 *   handled as a terminal's canonical-mode line discipline does: at the start of a line it is end
 *   of file (stdin ends), after a partial line it only hands that line over and is consumed (a
 *   second EOT then ends stdin). Source: Qovery's CLI, Qovery/qovery-cli commit 58a7851 ("fix(shell):
 *   propagate stdin EOF to remote process via EOT", 2026-05-07; pkg/shell.go readUserConsole at
 *   HEAD 210d6c6): "The remote side runs under AttachParams::interactive_tty(), so the PTY line
 *   discipline interprets a literal 0x04 (EOT) as canonical-mode EOF"; the CLI sends one EOT when
 *   its piped stdin ends. Not modelled (the gateway itself is closed source, and the same commit
 *   also says a 0×0 size asks for no TTY): a terminal's echo of the input, \r\n line ends, and
 *   stderr merged into the terminal; the front keeps stdout and stderr apart as pipes do;
 * - `drop` modes end the TCP connection without a close frame (1006) mid-stream.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { type WebSocket, WebSocketServer } from "ws";
import { parse } from "yaml";

export const WS_SPEC_PATH = fileURLToPath(new URL("./spec/qovery-websocket-openapi.yaml", import.meta.url));

type Json = Record<string, unknown>;
interface SpecParam {
  name: string;
  nullable: boolean;
  uuid: boolean;
  array: boolean;
  integer: boolean;
}

/** The parameters the spec declares for a route (it says `in: path`; the gateway reads the query). */
export function specParams(path: string, specPath = WS_SPEC_PATH): SpecParam[] {
  const doc = parse(readFileSync(specPath, "utf8")) as Json;
  const op = ((doc.paths as Json)[path] as Json | undefined)?.get as Json | undefined;
  if (!op) throw new Error(`no GET ${path} in ${specPath}`);
  return ((op.parameters as Json[]) ?? []).map((p) => {
    const schema = (p.schema ?? {}) as Json;
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [String(schema.type ?? "")];
    return {
      name: String(p.name),
      nullable: types.includes("null"),
      uuid: schema.format === "uuid",
      array: types.includes("array"),
      integer: types.includes("integer"),
    };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every way a query departs from the spec's parameter list for that route. */
export function checkQuery(params: SpecParam[], query: URLSearchParams): string[] {
  const problems: string[] = [];
  const known = new Set(params.map((p) => p.name));
  for (const key of new Set(query.keys())) if (!known.has(key)) problems.push(`unknown query parameter ${key}`);
  for (const p of params) {
    const values = query.getAll(p.name);
    if (!values.length) {
      if (!p.nullable) problems.push(`missing query parameter ${p.name}`);
      continue;
    }
    if (!p.array && values.length > 1) problems.push(`${p.name} repeated`);
    for (const v of values) {
      if (p.uuid && !UUID.test(v)) problems.push(`${p.name} is not a uuid: ${v}`);
      if (p.integer && !/^\d+$/.test(v)) problems.push(`${p.name} is not an integer ≥ 0: ${v}`);
    }
  }
  return problems;
}

export interface Upgrade {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  problems: string[];
}

export interface LogScript {
  /** Messages sent right after the upgrade. */
  count: number;
  /** Then: keep the stream open, close normally, close 1011, or drop the TCP connection. */
  after: "stay" | "close" | "close1011" | "drop";
}

export interface GatewayFront {
  /** ws://127.0.0.1:port: what QOVERY_WS_URL points at. */
  url: string;
  upgrades: Upgrade[];
  /** Services the gateway knows (the rest get close 1007). */
  services: Set<string>;
  logScript: LogScript;
  /** Drop the shell connection after the first output frame. */
  dropShellAfterFirstOutput: boolean;
  /** Open log sockets, so a test can push more messages. */
  logSockets: Set<WebSocket>;
  sendLog(ws: WebSocket, i: number): void;
  /** Close codes the front received from clients. */
  clientCloses: number[];
  close(): Promise<void>;
}

export const LOG_T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

export function logMessage(i: number) {
  return {
    created_at: LOG_T0 + i,
    pod_name: `web-api-7d9f-${i % 2 ? "b" : "a"}`,
    container_name: "web-api",
    message: `request ${i} served\n`,
    version: "1.4.2",
    severity_text: "INFO",
    labels: {},
    from_kube: false,
  };
}

export async function startGatewayFront(opts: { token: string; container: string }): Promise<GatewayFront> {
  const routes: Record<string, SpecParam[]> = {
    "/service/logs": specParams("/service/logs"),
    "/shell/exec": specParams("/shell/exec"),
  };
  const wss = new WebSocketServer({ noServer: true });
  const children = new Set<ChildProcess>();
  const front: GatewayFront = {
    url: "",
    upgrades: [],
    services: new Set(),
    logScript: { count: 3, after: "stay" },
    dropShellAfterFirstOutput: false,
    logSockets: new Set(),
    sendLog: (ws, i) => ws.send(JSON.stringify(logMessage(i))),
    clientCloses: [],
    close: async () => {
      for (const c of children) c.kill("SIGKILL");
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  wss.on("headers", (headers) => headers.push(`X-Qovery-Request-Id: ${randomUUID()}`));

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ message: text })}`,
    );
  };

  const server: Server = createServer((_req, res) => {
    res.writeHead(426).end("websocket only");
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    const url = new URL(req.url ?? "/", "http://gateway");
    const params = routes[url.pathname];
    const auth = req.headers.authorization;
    const up: Upgrade = {
      path: url.pathname,
      query: url.searchParams,
      authorization: auth,
      problems: params ? checkQuery(params, url.searchParams) : [`no route ${url.pathname}`],
    };
    front.upgrades.push(up);
    if (!params) return refuse(socket, 404, "Not Found");
    if (auth !== `Token ${opts.token}` && auth !== `Bearer ${opts.token}`) return refuse(socket, 401, "Unauthorized");
    if (up.problems.length) return refuse(socket, 400, up.problems.join("; "));
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("close", (code) => front.clientCloses.push(code));
      if (!front.services.has(url.searchParams.get("service") ?? "")) {
        ws.close(1007, "permission denied: service not found");
        return;
      }
      if (url.pathname === "/service/logs") serveLogs(ws);
      else serveShell(ws, url.searchParams);
    });
  });

  function serveLogs(ws: WebSocket) {
    front.logSockets.add(ws);
    ws.on("close", () => front.logSockets.delete(ws));
    const { count, after } = front.logScript;
    for (let i = 0; i < count; i++) front.sendLog(ws, i);
    if (after === "close") ws.close(1000, "");
    if (after === "close1011") ws.close(1011, "cluster agent unreachable");
    // Let the frames leave before the connection goes, as a real drop would after sending them.
    if (after === "drop") setTimeout(() => ws.terminate(), 50);
  }

  function serveShell(ws: WebSocket, q: URLSearchParams) {
    const argv = q.getAll("command");
    const child = spawn("docker", ["exec", "-i", opts.container, ...argv], { stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    let sentOutput = false;
    const out = (d: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(d, { binary: true });
      if (!sentOutput && front.dropShellAfterFirstOutput) setTimeout(() => ws.terminate(), 50);
      sentOutput = true;
    };
    child.stdout?.on("data", out);
    child.stderr?.on("data", out);
    child.stdin?.on("error", () => {});
    // The line discipline's EOT rule (see the header): EOF only when no partial line is pending.
    let lineStart = true;
    let ended = false;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary || ended) return;
      let from = 0;
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== 0x04) {
          lineStart = data[i] === 0x0a;
          continue;
        }
        if (i > from) child.stdin?.write(data.subarray(from, i));
        from = i + 1;
        if (lineStart) {
          ended = true;
          return void child.stdin?.end();
        }
        lineStart = true; // the partial line is handed over: the buffer is empty again
      }
      if (from < data.length) child.stdin?.write(data.subarray(from));
    });
    ws.on("close", () => child.kill("SIGKILL"));
    // "close" comes after the process exited and its output pipes were drained.
    child.on("close", () => {
      children.delete(child);
      if (ws.readyState === ws.OPEN) ws.close(1000, "");
    });
  }

  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  front.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return front;
}
