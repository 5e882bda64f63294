// The HTTP-transport anchor: a bare @modelcontextprotocol/sdk Streamable HTTP server (stateful,
// one McpServer per session, as the SDK's own example does) with one echo tool. Prints its port.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const transports = new Map();
const newServer = () => {
  const server = new McpServer({ name: "echo-anchor", version: "0.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes the message back.", inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: "text", text: message }] }),
  );
  return server;
};
const readJson = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined);
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
  });
const http = createServer(async (req, res) => {
  try {
    const sid = req.headers["mcp-session-id"];
    const body = req.method === "POST" ? await readJson(req) : undefined;
    let transport = sid ? transports.get(sid) : undefined;
    if (!transport && req.method === "POST" && isInitializeRequest(body)) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => transports.set(id, transport),
      });
      transport.onclose = () => transport.sessionId && transports.delete(transport.sessionId);
      await newServer().connect(transport);
    }
    if (!transport) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"No valid session"},"id":null}');
      return;
    }
    await transport.handleRequest(req, res, body);
  } catch (error) {
    if (!res.headersSent) res.writeHead(500);
    res.end(String(error));
  }
});
http.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () =>
  process.stdout.write(`${JSON.stringify({ port: http.address().port })}\n`),
);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
