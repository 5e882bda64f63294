import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** A websocket upgrade (answered by upgradeHandler). */
  upgrade: boolean;
  /** The body as UTF-8, up to maxBodyBytes (filled while it arrives; complete once `req` ends). */
  body: string;
}

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The one scriptable fake upstream of the suites: a loopback (or unix socket) HTTP server that
 * records every request, including websocket upgrades, and answers with `handler` /
 * `upgradeHandler`, which a test may swap at any time. By default it answers a JSON 404, so a
 * call that reaches it ends in a clear error. Tracks its sockets so `close` never waits on a
 * keep-alive connection.
 */
export class RecordingUpstream {
  readonly requests: RecordedRequest[] = [];
  readonly server: http.Server;
  readonly sockets = new Set<Socket>();
  handler: UpstreamHandler = (_req, res) => {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: "not found (recording upstream)" }));
  };
  upgradeHandler: UpgradeHandler = (_req, socket) => {
    socket.end("HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
  };
  #socketPath: string | undefined;

  constructor(options: { maxBodyBytes?: number } = {}) {
    const maxBody = options.maxBodyBytes ?? 65_536;
    // Large enough for 1 MiB arguments that legitimately end up in a URL: answer them, don't reset.
    this.server = http.createServer({ maxHeaderSize: 8 * 1024 * 1024 }, (req, res) => {
      const entry: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        upgrade: false,
        body: "",
      };
      this.requests.push(entry);
      req.on("data", (c: Buffer) => {
        if (entry.body.length < maxBody) entry.body += c.toString("utf8");
      });
      this.handler(req, res);
    });
    this.server.on("upgrade", (req, socket, head) => {
      this.requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        upgrade: true,
        body: "",
      });
      this.upgradeHandler(req, socket, head);
    });
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server.on("clientError", (_e, socket) => socket.destroy());
  }

  /** Listens on an ephemeral loopback port, or on a unix socket path. Resolves with `url`. */
  async listen(socketPath?: string): Promise<string> {
    this.#socketPath = socketPath;
    await new Promise<void>((r) =>
      socketPath ? this.server.listen(socketPath, r) : this.server.listen(0, "127.0.0.1", r),
    );
    return this.url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** http://127.0.0.1:<port>, or http://unix for a socket (the path is the socket). */
  get url(): string {
    return this.#socketPath ? "http://unix" : `http://127.0.0.1:${this.port}`;
  }

  reset(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The socket the Incus suites talk to (INCUS_SOCKET, else the Debian package's path). */
export const INCUS_TEST_SOCKET = process.env.INCUS_SOCKET ?? "/var/lib/incus/unix.socket";

/**
 * One raw call to the Incus API on its unix socket, for test setup (creating instances and
 * operations the tools then act on): the JSON envelope as Incus sent it, error envelopes included.
 */
export function incusRequest<T = { type?: string; operation?: string; metadata?: unknown }>(
  method: string,
  path: string,
  body?: unknown,
  socketPath = INCUS_TEST_SOCKET,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => {
        try {
          resolve(JSON.parse(text) as T);
        } catch {
          reject(new Error(`${method} ${path}: Incus answered ${res.statusCode} with non-JSON: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
