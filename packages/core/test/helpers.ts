import type http from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { type RecordedRequest, RecordingUpstream } from "../src/testing/index.js";

export type Recorded = Omit<RecordedRequest, "upgrade">;

/**
 * Core's recording upstream with a handler that runs once each request's body is in: answers are
 * scripted per test from the recorded request and its number.
 */
export async function startUpstream(
  handler: (req: Recorded, res: http.ServerResponse, count: number) => void,
  listenOn?: string,
): Promise<{ url: string; requests: Recorded[]; close: () => Promise<void>; server: http.Server }> {
  const up = new RecordingUpstream({ maxBodyBytes: 16 * 1024 * 1024 });
  up.handler = (req, res) => {
    const count = up.requests.length;
    const rec = up.requests[count - 1] as RecordedRequest;
    req.on("end", () => handler(rec, res, count));
    req.resume();
  };
  const url = await up.listen(listenOn);
  return { url, requests: up.requests, server: up.server, close: () => up.close() };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** An SDK client over Streamable HTTP, sending `headers` on every request; `call` runs one tool. */
export async function connectHttp(url: string, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: "core-http-test", version: "0" });
  await client.connect(transport);
  return {
    client,
    transport,
    call: async (name: string, args: Record<string, unknown> = {}) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult,
  };
}
