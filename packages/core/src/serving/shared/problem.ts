import { type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { redactor } from "../../base/redact.js";

/** How the HTTP listeners answer: RFC 9457 problem bodies and JSON, always redacted. */
export interface ProblemBody {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  [extra: string]: unknown;
}

/** RFC 9457 problem body, redacted. */
export function sendProblem(res: ServerResponse, problem: ProblemBody, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(redactor.redactValue({ type: "about:blank", ...problem }));
  res.writeHead(problem.status, {
    "content-type": "application/problem+json",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(redactor.redactValue(value));
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Answers a refused websocket Upgrade on the raw socket with a problem body, then closes it. */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  title: string,
  detail?: string,
  headers: Record<string, string> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(
    redactor.redactValue({ type: "about:blank", title, status, ...(detail ? { detail } : {}) }),
  );
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const auth = extra || (status === 401 ? 'www-authenticate: Bearer realm="infra-mcp"\r\n' : "");
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\nconnection: close\r\ncontent-type: application/problem+json\r\n${auth}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
