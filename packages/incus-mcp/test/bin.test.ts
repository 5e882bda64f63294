import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connectStdio, textOf } from "@infra-mcp/core/testing";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gate, INSTANCE, SOCKET, untilGone, untilRunning } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin.cjs", import.meta.url));

/** Peak and current resident memory of a process, in KiB (Linux /proc). */
function memory(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1]);
  return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
}

describe.skipIf(gate.skip)("the built bin over stdio (as Claude Desktop runs it)", () => {
  let c: Awaited<ReturnType<typeof connectStdio>>;
  let pid = 0;
  beforeAll(async () => {
    c = await connectStdio(BIN, { env: { INCUS_SOCKET: SOCKET } });
    pid = (c.client.transport as StdioClientTransport).pid ?? 0;
  });
  afterAll(async () => {
    await c.close();
  });

  it("lists the seed's tools plus exec and session tools, all with four hints", async () => {
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of [
      "get-operations",
      "get-operations-2",
      "get-operation-state",
      "cancel-operation",
      "wait-operation",
      "wait-operation-2",
      "get-websocket-stream",
      "get-websocket-stream-2",
      "list-instances",
      "exec-in-instance",
      "open-exec-session",
      "session-read",
      "session-write",
      "session-close",
    ]) {
      expect(names).toContain(n);
    }
    for (const t of tools) {
      expect(Object.keys(t.annotations ?? {})).toEqual(
        expect.arrayContaining(["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]),
      );
    }
    expect(tools.find((t) => t.name === "cancel-operation")?.annotations?.destructiveHint).toBe(true);
  });

  it("runs an exec end to end", async () => {
    const r = await c.call("exec-in-instance", {
      instance: INSTANCE,
      command: ["sh", "-c", "echo out; echo err >&2; exit 3"],
    });
    expect(r.structuredContent).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
  });

  it("a 20 MiB stream capped at 256 KiB: truncated, reading stops, server memory bounded", async () => {
    expect(pid).toBeGreaterThan(0);
    // Warm-up with a small stream just past the same cap, so the measurement below is what the 20 MiB
    // stream adds, not first-use costs (JIT, heap sizing, result serialisation).
    for (let i = 0; i < 3; i++) {
      await c.call("exec-in-instance", {
        instance: INSTANCE,
        command: ["sh", "-c", "head -c 400000 /dev/urandom | base64 -w 0"],
        maxOutputBytes: 262_144,
      });
    }
    const before = memory(pid);
    const r = await c.call("exec-in-instance", {
      instance: INSTANCE,
      command: ["sh", "-c", "head -c 20971520 /dev/urandom | base64 -w 0"],
      maxOutputBytes: 262_144,
      timeoutSeconds: 120,
    });
    const after = memory(pid);
    const s = r.structuredContent as {
      stdoutBytes: number;
      stdoutTruncated: boolean;
      stdout: string;
      exitCode: number;
    };
    // Past the cap the stdout socket is closed: the producer dies of SIGPIPE (128+13) instead of streaming on.
    expect(s.exitCode).toBe(141);
    expect(s.stdoutTruncated).toBe(true);
    expect(s.stdoutBytes).toBeGreaterThan(262_144);
    expect(s.stdoutBytes).toBeLessThan(20 * 1024 * 1024);
    expect(s.stdout.length).toBe(262_144);
    const grewKiB = after.hwm - before.hwm;
    process.stderr.write(
      `[incus-mcp memory] 20 MiB stream (${s.stdoutBytes} bytes): peak RSS ${before.hwm} -> ${after.hwm} KiB (+${grewKiB} KiB), RSS now ${after.rss} KiB\n`,
    );
    // The stream is ~27 MiB; the server keeps the 256 KiB cap plus fixed working memory (result JSON, buffers): below the stream.
    expect(grewKiB).toBeLessThan(8 * 1024);
  });

  it("closing the client (stdin EOF) mid-exec kills the command in the instance", async () => {
    const other = await connectStdio(BIN, { env: { INCUS_SOCKET: SOCKET } });
    const marker = `sleep 7${process.pid % 1000}5`;
    const pending = other.call("exec-in-instance", {
      instance: INSTANCE,
      command: marker.split(" "),
      timeoutSeconds: 300,
    });
    pending.catch(() => {});
    expect(await untilRunning(marker)).toHaveLength(1);
    await other.close();
    await untilGone(marker);
  });

  it("bad input comes back as a readable error and the bin keeps serving", async () => {
    const r = await c.call("exec-in-instance", { instance: "missing-instance", command: ["true"] });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/Instance not found/);
    expect((await c.call("get-operations", {})).isError).toBeFalsy();
  });
});

describe("the built bin: toolsets and levels", () => {
  const listed = async (args: string[], env: Record<string, string> = {}) => {
    const c = await connectStdio(BIN, { args, env: { INCUS_SOCKET: SOCKET, ...env } });
    try {
      return (await c.client.listTools()).tools;
    } finally {
      await c.close();
    }
  };

  it("serves the default toolsets, --toolsets / MCP_TOOLSETS pick others, levels filter by hints", async () => {
    const defaults = (await listed([])).map((t) => t.name);
    expect(defaults).toContain("exec-in-instance");
    expect(defaults).not.toContain("create-snapshot"); // snapshots: off by default
    const all = (await listed(["--toolsets", "all"])).map((t) => t.name);
    expect(all).toContain("create-snapshot");
    expect(all.length).toBeGreaterThan(defaults.length);
    expect((await listed([], { MCP_TOOLSETS: "snapshots" })).map((t) => t.name)).toContain("create-snapshot");
    const readOnly = await listed(["--toolsets", "all", "--read-only"]);
    expect(readOnly.length).toBeGreaterThan(0);
    for (const t of readOnly) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    const safe = await listed(["--toolsets", "all"], { MCP_DISABLE_DESTRUCTIVE: "1" });
    expect(safe.some((t) => !t.annotations?.readOnlyHint)).toBe(true); // non-destructive writes stay
    for (const t of safe) expect(t.annotations?.destructiveHint, t.name).toBe(false);
  });

  it("an unknown toolset refuses to start, exit code 2, naming the known ones", () => {
    const r = spawnSync(process.execPath, [BIN, "--toolsets", "exec,snapshotz"], {
      env: { PATH: process.env.PATH ?? "", INCUS_SOCKET: SOCKET },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown toolset(s) in --toolsets: snapshotz. incus-mcp has: operations, instances");
  });

  it("--help lists every toolset with its tools, from the table", () => {
    const r = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Toolsets \(--toolsets a,b or all; default [a-z,]+\):/);
    expect(r.stdout).toMatch(/\n {2}snapshots +.*\n +.*create-snapshot/);
  });
});
