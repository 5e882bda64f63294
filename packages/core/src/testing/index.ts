/**
 * Test helpers shared by the packages' suites (not part of the servers' runtime): a real MCP client
 * wired to a server in memory or over stdio, the rule for tests that need a real daemon, the one
 * recording fake upstream, the raw Incus socket client for test setup, waiting for a condition with a
 * deadline (never a fixed sleep). The tools/list check
 * (toolsnaps + byte budget) is `@infra-mcp/core/testing/toolsnaps` (it defines vitest tests).
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { createVendorServer, type ServerOptions, type VendorDefinition } from "../tools/vendor.js";
import { waitFor } from "./wait.js";

export { freePort } from "./ports.js";
export {
  INCUS_TEST_SOCKET,
  incusRequest,
  type RecordedRequest,
  RecordingUpstream,
  type UpgradeHandler,
  type UpstreamHandler,
} from "./upstream.js";
export { type WaitForOptions, waitFor } from "./wait.js";

/**
 * Waits until a live audit log's head names the file's end. A server updates the head at the end
 * of the event loop's turn after a record, so a test that verifies a log while its server runs
 * waits for that instead of racing it.
 */
export function auditHeadSettled(file: string): Promise<true> {
  return waitFor(
    () => {
      const head = JSON.parse(readFileSync(`${file}.head`, "utf8")) as { bytes: number };
      return head.bytes === statSync(file).size || undefined;
    },
    { what: `${file}.head to name the end of ${file}`, retryErrors: true },
  );
}

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
  // The test process is this server's entry: its environment, unless the test gives one.
  const handle = createVendorServer(vendor, { env: process.env, ...options });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await handle.server.connect(serverSide);
  const client = new Client({ name: "infra-mcp-tests", version: "0.0.0" });
  await client.connect(clientSide);
  return wrap(client, () => handle.close());
}

/**
 * Spawns a built bin and talks MCP to it over stdio, as Claude Desktop does. `close()` ends stdin
 * and resolves when the process has exited and its stderr is read to the end.
 */
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
  // close() resolves once the child's stderr has ended, so a test reading the logs after close sees
  // every line the server wrote on its way out (the transport's close only waits for the exit).
  const stderrEnded = new Promise<void>((resolve) => {
    const stream = transport.stderr;
    if (!stream) return resolve();
    stream.once("end", () => resolve());
    stream.once("close", () => resolve());
    stream.once("error", () => resolve());
  });
  const client = new Client({ name: "infra-mcp-tests", version: "0.0.0" });
  await client.connect(transport);
  const drained = async () => {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 10_000);
    });
    await Promise.race([stderrEnded, limit]);
    clearTimeout(timer);
  };
  return { ...wrap(client, drained), stderr: () => stderr };
}

/** First text block of a tool result. */
export function textOf(result: CallToolResult): string {
  const first = result.content?.[0];
  return first && first.type === "text" ? first.text : "";
}

/**
 * A session-read result as one object: its structuredContent (offsets, state, encoding) with the
 * output, which the result carries once, in the text after the first line, as `text`.
 */
export function sessionReadOf(result: CallToolResult): Record<string, unknown> & {
  text: string;
  offset: number;
  nextOffset: number;
  missedBytes: number;
  state: string;
  encoding: string;
  exitCode?: number | null;
} {
  if (result.isError) throw new Error(`session-read failed: ${textOf(result)}`);
  const all = textOf(result);
  const text = all.slice(all.indexOf("\n") + 1);
  return { ...(result.structuredContent as Record<string, unknown>), text } as ReturnType<typeof sessionReadOf>;
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

/**
 * The raw tools/list result line a built bin writes on stdout (initialize first), parsed but not
 * passed through a client's schema, so a test can compare it byte for byte.
 */
export async function rawToolsList(binPath: string, env: Record<string, string> = {}): Promise<{ tools: Tool[] }> {
  const child = spawn(process.execPath, [binPath], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  try {
    const lines = createInterface({ input: child.stdout });
    const send = (msg: unknown) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "infra-mcp-tests", version: "0" },
      },
    });
    for await (const line of lines) {
      const msg = JSON.parse(line) as { id?: number; result?: { tools: Tool[] }; error?: unknown };
      if (msg.id === 1) {
        send({ jsonrpc: "2.0", method: "notifications/initialized" });
        send({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
      } else if (msg.id === 2) {
        if (!msg.result) throw new Error(`tools/list failed: ${line}`);
        return msg.result;
      }
    }
    throw new Error("the bin closed stdout before answering tools/list");
  } finally {
    child.kill();
  }
}
