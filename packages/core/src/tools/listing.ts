import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer, type RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { normalizeObjectSchema } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import { toJsonSchemaCompat } from "@modelcontextprotocol/sdk/server/zod-json-schema-compat.js";
import { ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { signalStarted } from "../base/started.js";
import type { AnyTool } from "./definition.js";

/**
 * tools/list without converting zod to JSON Schema at run time.
 *
 * `pnpm build` writes dist/tools-list.json beside each bin bundle (scripts/list-tools.mjs): every
 * tool of the vendor, all toolsets, exactly as the SDK's own McpServer lists it. A server answers
 * tools/list from that file, filtered to the tools it registered; a tool missing from the file,
 * or whose title or description differ from it, is converted live the same way the SDK does. The
 * vendor test suites prove the file equals the SDK's live answer, so it cannot go stale unnoticed.
 */
export const TOOLS_LIST_FILE = "tools-list.json";

/** The config McpServer.registerTool gets for a tool (registerTools and sdkToolList share it). */
export function sdkToolConfig(tool: AnyTool<unknown>) {
  return {
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    annotations: { title: tool.title, ...tool.annotations },
  };
}

const live = new WeakMap<object, Tool>();

/** One tools/list entry built as McpServer builds it (same fields, same order, same conversion). */
export function listedTool(tool: AnyTool<unknown>): Tool {
  const known = live.get(tool);
  if (known) return known;
  const config = sdkToolConfig(tool);
  const input = normalizeObjectSchema(config.inputSchema);
  const entry: Tool = {
    name: tool.name,
    title: config.title,
    description: config.description,
    inputSchema: (input
      ? toJsonSchemaCompat(input, { strictUnions: true, pipeStrategy: "input" })
      : { type: "object", properties: {} }) as Tool["inputSchema"],
    annotations: config.annotations,
    execution: { taskSupport: "forbidden" },
    // McpServer sets the key even when empty; in-memory clients (tests) see it, JSON drops it.
    _meta: undefined,
  };
  const output = config.outputSchema && normalizeObjectSchema(config.outputSchema);
  if (output) {
    entry.outputSchema = toJsonSchemaCompat(output, {
      strictUnions: true,
      pipeStrategy: "output",
    }) as Tool["outputSchema"];
  }
  live.set(tool, entry);
  return entry;
}

let precomputed: Map<string, Tool> | null | undefined;

/** The build-time listing beside the running bundle (dist/), read once per process; null if none. */
function precomputedTools(): Map<string, Tool> | null {
  if (precomputed !== undefined) return precomputed;
  precomputed = null;
  // Only a bundle has a __dirname here (the bin's CommonJS bundle, run by launch.ts); the ESM
  // library entry and tests run from source convert live.
  if (typeof __dirname === "string") {
    try {
      const file = JSON.parse(readFileSync(join(__dirname, TOOLS_LIST_FILE), "utf8")) as { tools: Tool[] };
      precomputed = new Map(file.tools.map((t) => [t.name, t]));
    } catch {
      precomputed = null;
    }
  }
  return precomputed;
}

/** The tools/list entries for these tools: precomputed where the file has them unchanged, else live. */
export function listTools(tools: readonly AnyTool<unknown>[], fromFile = precomputedTools()): Tool[] {
  return tools.map((tool) => {
    const entry = fromFile?.get(tool.name);
    return entry && entry.title === tool.title && entry.description === tool.description ? entry : listedTool(tool);
  });
}

/**
 * Replaces McpServer's tools/list handler (which converts every schema on every call) with
 * listTools. Like McpServer's, it lists only the tools currently enabled (a read-only scope
 * disables the writers of a session); the entries themselves are built once.
 */
export function installToolList(
  server: McpServer,
  tools: readonly AnyTool<unknown>[],
  registered: ReadonlyMap<string, RegisteredTool>,
): void {
  let entries: Tool[] | undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, () => {
    const first = entries === undefined;
    entries ??= listTools(tools);
    if (first) setImmediate(signalStarted);
    return { tools: entries.filter((t) => registered.get(t.name)?.enabled) };
  });
}

/**
 * The SDK's own answer to tools/list for these tools: a plain McpServer, registerTool, and a
 * request over an in-memory transport. What the build writes and what the tests compare with.
 */
export async function sdkToolList(tools: readonly AnyTool<unknown>[]): Promise<Tool[]> {
  const server = new McpServer({ name: "tools-list", version: "0.0.0" }, { capabilities: { tools: {} } });
  for (const tool of tools) server.registerTool(tool.name, sdkToolConfig(tool), async () => ({ content: [] }));
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  const answers = new Map<unknown, (result: unknown) => void>();
  client.onmessage = (msg) => {
    if ("id" in msg && answers.has(msg.id)) answers.get(msg.id)?.("result" in msg ? msg.result : msg);
  };
  await server.connect(serverSide);
  await client.start();
  const ask = (id: number, method: string, params: Record<string, unknown>) =>
    new Promise<unknown>((resolve) => {
      answers.set(id, resolve);
      void client.send({ jsonrpc: "2.0", id, method, params });
    });
  await ask(1, "initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "tools-list", version: "0.0.0" },
  });
  await client.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  const result = (await ask(2, "tools/list", {})) as { tools?: Tool[] };
  await server.close();
  if (!result.tools) throw new Error(`tools/list failed: ${JSON.stringify(result)}`);
  // Through JSON, as a client receives it (undefined fields dropped).
  return JSON.parse(JSON.stringify(result.tools)) as Tool[];
}
