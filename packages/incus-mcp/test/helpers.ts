import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { HttpClient } from "@infra-mcp/core";
import { connectInMemory, daemonGate, waitFor } from "@infra-mcp/core/testing";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { incusVendor } from "../src/index.js";

export const SOCKET = "/var/lib/incus/unix.socket";
export const INSTANCE = "c1";

function incusUp(): boolean {
  if (!existsSync(SOCKET)) return false;
  try {
    execFileSync("incus", ["list", "--format", "csv", "-c", "n"], { timeout: 10_000, stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** Real-daemon gate: fails in CI when Incus is missing, skips loudly locally. */
export const gate = daemonGate("Incus", incusUp());

export function connect(env: Record<string, string> = { INCUS_SOCKET: SOCKET }) {
  // Every toolset: the suites test tools that are off by default (snapshots, events) too.
  return connectInMemory(incusVendor, { env, toolsets: ["all"] });
}

/** Direct API access for test setup (creating operations the tools then act on). */
export const raw = new HttpClient({ name: "Incus", baseUrl: "http://incus", socketPath: SOCKET });

export async function api<T = Record<string, unknown>>(
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
) {
  return (await raw.json<{ metadata: T }>({ method, path, ...(body !== undefined ? { body } : {}), retry: false }))
    .metadata;
}

/** A real cancellable operation: a certificate add token (class token, may_cancel, has metadata.secret). */
export async function createTokenOperation(name: string) {
  const op = await api<{ id: string; may_cancel: boolean; metadata: { secret: string } }>("POST", "/1.0/certificates", {
    name,
    type: "client",
    token: true,
  });
  return op;
}

export function structured<T = Record<string, unknown>>(r: CallToolResult): T {
  if (r.isError) throw new Error(`tool failed: ${JSON.stringify(r.content)}`);
  return r.structuredContent as T;
}

export function incus(...args: string[]): string {
  return execFileSync("incus", args, { encoding: "utf8", timeout: 30_000 });
}

/** Processes in the instance whose command line matches (busybox ps). */
export function psMatching(pattern: string): string[] {
  return incus("exec", INSTANCE, "--", "ps", "-o", "pid,args")
    .split("\n")
    .filter((l) => l.includes(pattern) && !l.includes("ps -o"));
}

/**
 * Waits until a process matching `pattern` runs in the instance and returns the matching lines (an
 * exec starts asynchronously: the call that opens it can return before the process exists).
 */
export function untilRunning(pattern: string, timeoutMs = 20_000): Promise<string[]> {
  return waitFor(
    () => {
      const found = psMatching(pattern);
      return found.length > 0 ? found : undefined;
    },
    { what: `a process matching "${pattern}" in ${INSTANCE}`, timeoutMs, intervalMs: 200 },
  );
}

/** Waits until no process matching `pattern` is left in the instance (a kill lands asynchronously). */
export async function untilGone(pattern: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => psMatching(pattern).length === 0, {
    what: `no process matching "${pattern}" left in ${INSTANCE}`,
    timeoutMs,
    intervalMs: 200,
  });
}

/** A suite's own instance (image bb, created stopped) and a connected client: c1 stays untouched. */
export async function createOwnInstance(name: string) {
  incus("init", "bb", name);
  return connect();
}

/** Undoes createOwnInstance; an instance a test already deleted is fine. */
export async function removeOwnInstance(name: string, client: { close(): Promise<void> } | undefined): Promise<void> {
  await client?.close();
  try {
    incus("delete", "--force", name);
  } catch {
    // already gone
  }
}
