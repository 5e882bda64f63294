import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server whose behaviour each test scripts, recording every request it gets. */
export async function startUpstream(
  handler: (req: Recorded, res: http.ServerResponse, count: number) => void,
  listenOn?: string,
): Promise<{ url: string; requests: Recorded[]; close: () => Promise<void>; server: http.Server }> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const rec = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(rec);
      handler(rec, res, requests.length);
    });
  });
  await new Promise<void>((resolve) =>
    listenOn ? server.listen(listenOn, resolve) : server.listen(0, "127.0.0.1", resolve),
  );
  const addr = server.address();
  const url = typeof addr === "string" ? "http://unix" : `http://127.0.0.1:${(addr as AddressInfo).port}`;
  return {
    url,
    requests,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
