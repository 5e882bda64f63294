// The cold-start anchor: a bare @modelcontextprotocol/sdk server with one echo tool, run
// unbundled from node_modules exactly as a hand-written SDK server would be.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "echo-anchor", version: "0.0.0" });
server.registerTool(
  "echo",
  { description: "Echoes the message back.", inputSchema: { message: z.string() } },
  async ({ message }) => ({ content: [{ type: "text", text: message }] }),
);
await server.connect(new StdioServerTransport());
