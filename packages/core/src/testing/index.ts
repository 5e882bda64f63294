/**
 * Test helpers shared by the packages' suites (not part of the servers' runtime): a real MCP client
 * wired to a server in memory or over stdio, the rule for tests that need a real daemon, the one
 * recording fake upstream, the raw Incus socket client for test setup. The tools/list check
 * (toolsnaps + byte budget) is `@infra-mcp/core/testing/toolsnaps` (it defines vitest tests).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createVendorServer, type ServerOptions, type VendorDefinition } from "../vendor.js";

export {
  INCUS_TEST_SOCKET,
  incusRequest,
  type RecordedRequest,
  RecordingUpstream,
  type UpgradeHandler,
  type UpstreamHandler,
} from "./upstream.js";

export interface ConnectedClient {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

function wrap(client: Client, onClose: () => Promise<void>): ConnectedClient {
  return {
    client,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close().catch(() => {});
      await onClose();
    },
  };
}

/** A real SDK Client linked to a fresh vendor server through the SDK's in-memory transport. */
export async function connectInMemory<C>(
  vendor: VendorDefinition<C>,
  options: ServerOptions = {},
): Promise<ConnectedClient> {
  const handle = createVendorServer(vendor, options);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await handle.server.connect(serverSide);
  const client = new Client({ name: "infra-mcp-tests", version: "0.0.0" });
  await client.connect(clientSide);
  return wrap(client, () => handle.close());
}

/** Spawns a built bin and talks MCP to it over stdio, as Claude Desktop does. */
export async function connectStdio(
  binPath: string,
  options: { args?: string[]; env?: Record<string, string>; stderr?: "pipe" | "inherit" | "ignore" } = {},
): Promise<ConnectedClient & { stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binPath, ...(options.args ?? [])],
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stderr: options.stderr ?? "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const client = new Client({ name: "infra-mcp-tests", version: "0.0.0" });
  await client.connect(transport);
  return { ...wrap(client, async () => {}), stderr: () => stderr };
}

/** First text block of a tool result. */
export function textOf(result: CallToolResult): string {
  const first = result.content?.[0];
  return first && first.type === "text" ? first.text : "";
}

/**
 * Integration tests need real daemons. In CI a missing daemon is a failure (a silently skipped
 * integration test is a defect); locally the suite skips with a loud message naming the command
 * that starts it.
 */
export function daemonGate(name: string, available: boolean, startCommand = "pnpm daemons"): { skip: boolean } {
  if (available) return { skip: false };
  const msg = `${name} is not available: start it with \`${startCommand}\` (scripts/setup-daemons.sh).`;
  if (process.env.CI) throw new Error(`CI is set and ${msg}`);
  process.stderr.write(`\n!!! SKIPPING ${name} integration tests: ${msg}\n\n`);
  return { skip: true };
}

/** The parts of serveNetwork's options every test shares: loopback, ephemeral ports, no signal handlers. */
export const LOOPBACK_TEST_NETWORK = {
  host: "127.0.0.1",
  port: 0,
  restPort: 0,
  stateless: false,
  handleSignals: false,
} as const;
