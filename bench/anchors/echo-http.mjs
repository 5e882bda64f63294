// The HTTP-transport anchors: a bare @modelcontextprotocol/sdk Streamable HTTP server (stateful,
// one McpServer per session, as the SDK's own example does) with one tool. Prints its port.
//   node echo-http.mjs [port]                   one echo tool (no upstream)
//   node echo-http.mjs [port] --upstream URL    one list-containers tool that makes the same two
//                                               loopback GETs as qovery-mcp's, with ky (the same
//                                               client library), list and status in parallel
//   --stateless                                 the SDK's documented stateless pattern instead: a
//                                               new McpServer and transport (no session id) for
//                                               every POST, both closed when the response closes
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import ky from "ky";
import { z } from "zod";

const upstreamAt = process.argv.indexOf("--upstream");
const upstream = upstreamAt > 0 ? process.argv[upstreamAt + 1] : undefined;
const stateless = process.argv.includes("--stateless");
const api = upstream ? ky.create({ prefix: upstream, retry: 0, timeout: 30_000 }) : undefined;

const transports = new Map();
const newServer = () => {
  const server = new McpServer({ name: "echo-anchor", version: "0.0.0" });
  if (api) {
    server.registerTool(
      "list-containers",
      {
        description: "Lists the containers of an environment with their status.",
        inputSchema: { environmentId: z.string() },
      },
      async ({ environmentId }) => {
        const [list, status] = await Promise.all([
          api.get(`environment/${environmentId}/container`).json(),
          api.get(`environment/${environmentId}/container/status`).json(),
        ]);
        const state = new Map(status.results.map((s) => [s.id, s.state]));
        const text = list.results.map((c) => `${c.name} ${c.image_name}:${c.tag} ${state.get(c.id) ?? "?"}`).join("\n");
        return { content: [{ type: "text", text }], structuredContent: { containers: list.results } };
      },
    );
    return server;
  }
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
    if (stateless) {
      if (req.method !== "POST") {
        res.writeHead(405, { allow: "POST" }).end();
        return;
      }
      const server = newServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => {
        transport.close();
        server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
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
const portArg = process.argv[2];
http.listen(Number(portArg && !portArg.startsWith("--") ? portArg : 0), "127.0.0.1", () =>
  process.stdout.write(`${JSON.stringify({ port: http.address().port })}\n`),
);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
