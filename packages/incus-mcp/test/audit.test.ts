import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { auditHeadSettled, connectStdio, textOf, waitFor } from "@infra-mcp/core/testing";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gate, INSTANCE, incus, psMatching, SOCKET, untilGone, untilRunning } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin.cjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "observe-audit-"));
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

const lines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const verify = (...files: string[]) => {
  const r = spawnSync(process.execPath, [BIN, "audit", "verify", ...files], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
};
/** What verify prints for a live log whose end its head confirms. */
const intact = (file: string, n: number) => ({
  code: 0,
  out: `ok: ${n} records, chain intact\n  ${file} ends where ${file}.head says\n`,
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(gate.skip)("audit log of the built bin over stdio, against the real Incus", () => {
  it("writes the intent before the call goes upstream: a SIGKILL mid-call leaves it on disk", async () => {
    const file = join(dir, "kill.log");
    const marker = `sleep 7${process.pid % 1000}3`;
    const c = await connectStdio(BIN, { env: { INCUS_SOCKET: SOCKET, MCP_TOOLSETS: "all", MCP_AUDIT_LOG: file } });
    const pid = (c.client.transport as StdioClientTransport).pid ?? 0;
    expect(pid).toBeGreaterThan(0);
    // The exec holds the call open in Incus until the sleep ends; the outcome can only come after.
    const call = c.call("exec-in-instance", { instance: INSTANCE, command: marker.split(" "), timeoutSeconds: 120 });
    call.catch(() => {});
    await untilRunning(marker);
    process.kill(pid, "SIGKILL");
    await c.close().catch(() => {});
    const records = lines(file);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      event: "intent",
      server: "incus-mcp",
      tool: "exec-in-instance",
      transport: "stdio",
      caller: { id: `local:${userInfo().username}` },
      args: { instance: INSTANCE, command: marker.split(" ") },
      readOnly: false,
    });
    // The head follows a record at the end of the event loop's turn; a kill in between leaves the
    // intent past the head's end, which verify accepts and says.
    const killed = verify(file);
    expect(killed.code).toBe(0);
    expect([
      intact(file, 1).out,
      `ok: 1 records, chain intact\n  1 record after the last one ${file}.head names (a server stopped before it updated the head)\n`,
    ]).toContain(killed.out);
    // Our own sleep, by its pid: nothing else in c1 is touched.
    for (const line of psMatching(marker)) incus("exec", INSTANCE, "--", "kill", line.trim().split(/\s+/)[0] as string);
    await untilGone(marker);
  });

  describe("a chain of calls", () => {
    const file = join(dir, "chain.log");
    let c: Awaited<ReturnType<typeof connectStdio>>;
    let pid = 0;
    beforeAll(async () => {
      c = await connectStdio(BIN, {
        env: { INCUS_SOCKET: SOCKET, MCP_TOOLSETS: "all", MCP_AUDIT_LOG: file, MCP_AUDIT_READS: "1" },
      });
      pid = (c.client.transport as StdioClientTransport).pid ?? 0;
    });
    afterAll(async () => {
      await c.close();
    });

    it("records intent and outcome with one id, payloads as size and sha256, and verifies", async () => {
      const r = await c.call("exec-in-instance", {
        instance: INSTANCE,
        command: ["sh", "-c", "cat >/dev/null; echo done"],
        stdin: "the payload never written to the log",
      });
      expect(r.isError).toBeFalsy();
      await c.call("list-instances", {});
      // An outcome is written right after its answer leaves, not before.
      const records = await waitFor(() => (lines(file).length >= 4 ? lines(file) : undefined), {
        what: "the last call's outcome record",
      });
      expect(records.map((x) => x.event)).toEqual(["intent", "outcome", "intent", "outcome"]);
      const [intent, outcome] = records;
      expect(outcome?.id).toBe(intent?.id);
      expect(outcome).toMatchObject({ outcome: "ok", tool: "exec-in-instance" });
      expect(typeof outcome?.durationMs).toBe("number");
      expect((intent?.args as Record<string, unknown> | undefined)?.stdin).toEqual({
        bytes: 36,
        sha256: sha("the payload never written to the log"),
      });
      expect(readFileSync(file, "utf8")).not.toContain("never written");
      expect(records[2]).toMatchObject({ tool: "list-instances", readOnly: true });
      // The chain: each prev is the sha256 of the line before.
      const raw = readFileSync(file, "utf8").split("\n").filter(Boolean);
      expect(records[0]?.prev).toBe("0".repeat(64));
      for (let i = 1; i < raw.length; i++) expect(records[i]?.prev).toBe(sha(raw[i - 1] as string));
      await auditHeadSettled(file);
      expect(verify(file)).toEqual(intact(file, 4));
    });

    it("verify names the first broken line of an edited, a removed and a reordered log", () => {
      const raw = readFileSync(file, "utf8").split("\n").filter(Boolean);
      const edited = join(dir, "edited.log");
      writeFileSync(
        edited,
        `${[raw[0], raw[1]?.replace('"outcome":"ok"', '"outcome":"error"'), ...raw.slice(2)].join("\n")}\n`,
      );
      const removed = join(dir, "removed.log");
      writeFileSync(removed, `${[raw[0], ...raw.slice(2)].join("\n")}\n`);
      const reordered = join(dir, "reordered.log");
      writeFileSync(reordered, `${[raw[0], raw[2], raw[1], ...raw.slice(3)].join("\n")}\n`);
      const e = verify(edited);
      expect(e.code).toBe(1);
      expect(e.out).toContain(`${edited} line 3:`);
      const r = verify(removed);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`${removed} line 2:`);
      const o = verify(reordered);
      expect(o.code).toBe(1);
      expect(o.out).toContain(`${reordered} line 2:`);
      // A copy without its head still verifies, and says what it cannot see.
      const copy = join(dir, "copy.log");
      writeFileSync(copy, `${raw.join("\n")}\n`);
      expect(verify(copy)).toEqual({
        code: 0,
        out: `ok: 4 records, chain intact\n  ${copy} has no head file (${copy}.head), so lines cut from its end would not show\n`,
      });
    });

    it("SIGHUP reopens the path: the new file's first line links to the old file's last", async () => {
      const old = join(dir, "chain.log.1");
      renameSync(file, old);
      process.kill(pid, "SIGHUP");
      // The signal lands asynchronously; a call after the reopen goes to the new file.
      await waitFor(
        async () => {
          await c.call("list-instances", {});
          try {
            return lines(file).length > 0;
          } catch {
            return false;
          }
        },
        { what: "a record in the reopened audit file" },
      );
      const lastOld = readFileSync(old, "utf8").split("\n").filter(Boolean).at(-1) as string;
      expect(lines(file)[0]?.prev).toBe(sha(lastOld));
      expect(verify(old, file).code).toBe(0);
    });
  });

  it("lines cut from the end show: verify names the cut, and a restart links to the head so the chain breaks there", async () => {
    const file = join(dir, "cut.log");
    const env = { INCUS_SOCKET: SOCKET, MCP_TOOLSETS: "all", MCP_AUDIT_LOG: file, MCP_AUDIT_READS: "1" };
    let c = await connectStdio(BIN, { env });
    await c.call("list-instances", {});
    await c.call("list-instances", {});
    await waitFor(() => lines(file).length >= 4, { what: "the second call's outcome record" });
    await c.close();
    expect(verify(file)).toEqual(intact(file, 4));
    const raw = readFileSync(file, "utf8").split("\n").filter(Boolean);
    const kept = `${raw.slice(0, 3).join("\n")}\n`;
    writeFileSync(file, kept);
    const cut = verify(file);
    expect(cut.code).toBe(1);
    expect(cut.out).toBe(
      `broken: ${file} line 4: the file ends at byte ${Buffer.byteLength(kept)}, but ${file}.head says its last record ends at byte ${Buffer.byteLength(kept) + Buffer.byteLength(raw[3] as string) + 1}: records were removed from its end (3 records before it hold)\n`,
    );
    // A server started on the cut file does not start the chain again over the cut.
    c = await connectStdio(BIN, { env });
    await c.call("list-instances", {});
    await waitFor(() => lines(file).length >= 5, { what: "the restarted server's outcome record" });
    await c.close();
    expect(lines(file)[3]?.prev).toBe(sha(raw[3] as string));
    const after = verify(file);
    expect(after.code).toBe(1);
    expect(after.out).toContain(`broken: ${file} line 4: its prev hash does not match the line before it`);
  });

  it("fails closed: a log that cannot be written refuses writes, reads go on, the server stays up", async () => {
    // /dev/full opens and then refuses every write with ENOSPC: a full disk.
    const c = await connectStdio(BIN, {
      env: { INCUS_SOCKET: SOCKET, MCP_TOOLSETS: "all", MCP_AUDIT_LOG: "/dev/full" },
    });
    try {
      const write = await c.call("exec-in-instance", { instance: INSTANCE, command: ["true"] });
      expect(write.isError).toBe(true);
      expect(textOf(write)).toMatch(/cannot write the audit log \/dev\/full \(ENOSPC\).*Nothing was sent upstream/);
      const read = await c.call("list-instances", {});
      expect(read.isError).toBeFalsy();
      expect(textOf(read)).toContain(INSTANCE);
      const again = await c.call("exec-in-instance", { instance: INSTANCE, command: ["true"] });
      expect(again.isError).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("audits a call of a tool the server does not serve: outside its toolsets, or a writer in read-only mode", async () => {
    const file = join(dir, "unserved.log");
    // Default toolsets leave snapshots out; read-only leaves every writer out.
    const c = await connectStdio(BIN, { env: { INCUS_SOCKET: SOCKET, MCP_AUDIT_LOG: file, MCP_READ_ONLY: "1" } });
    try {
      const outside = await c.call("restore-snapshot", { instance: INSTANCE, snapshot: "none" });
      expect(outside.isError).toBe(true);
      expect(textOf(outside)).toContain("restore-snapshot not found");
      const writer = await c.call("exec-in-instance", { instance: INSTANCE, command: ["true"] });
      expect(writer.isError).toBe(true);
      const served = await c.call("list-instances", {});
      expect(served.isError).toBeFalsy();
    } finally {
      await c.close();
    }
    const records = lines(file);
    expect(records).toHaveLength(2);
    for (const [record, tool] of [
      [records[0], "restore-snapshot"],
      [records[1], "exec-in-instance"],
    ] as const) {
      expect(record).toMatchObject({
        event: "refused",
        reason: "not-served",
        server: "incus-mcp",
        tool,
        transport: "stdio",
        caller: { id: `local:${userInfo().username}` },
      });
    }
    expect(verify(file)).toEqual(intact(file, 2));
  });
});
