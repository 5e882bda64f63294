import { randomBytes } from "node:crypto";
import { textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type connect, createOwnInstance, gate, incus, removeOwnInstance, structured } from "./helpers.js";

/**
 * Lifecycle, state, logs, console and files against the real daemon, on an instance of this suite's
 * own (c1 is shared with other suites and never stopped here).
 */
const NAME = `mcp-test-${process.pid}-${randomBytes(3).toString("hex")}`;

/** An init (PID 1) that ignores the shutdown signals, so a clean stop hangs until its timeout. */
const STUBBORN_INIT = "#!/bin/sh\ntrap '' PWR TERM INT HUP USR1 USR2\nwhile :; do sleep 1; done\n";

describe.skipIf(gate.skip)("instance state, lifecycle, logs and files (own instance)", () => {
  let c: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    c = await createOwnInstance(NAME);
  }, 60_000);
  afterAll(() => removeOwnInstance(NAME, c), 60_000);

  const status = () => incus("list", NAME, "--format", "csv", "-c", "s").trim();

  it("start-instance starts it and reports the resulting status", async () => {
    const r = await c.call("start-instance", { instance: NAME });
    const s = structured<{ done: boolean; succeeded: boolean; status: string; operation: { status: string } }>(r);
    expect(s).toMatchObject({ done: true, succeeded: true, status: "Running", operation: { status: "Success" } });
    expect(textOf(r)).toMatch(new RegExp(`^${NAME}: Starting instance: Success .*; now Running$`));
    expect(status()).toBe("RUNNING");
  });

  it("get-instance-state: status, processes, CPU, memory, network, compact text plus structure", async () => {
    const r = await c.call("get-instance-state", { instance: NAME });
    const s = structured<{ state: { status: string; processes: number; pid: number; memory: { usage: number } } }>(r);
    expect(s.state.status).toBe("Running");
    expect(s.state.processes).toBeGreaterThanOrEqual(1);
    expect(s.state.pid).toBeGreaterThan(0);
    expect(s.state.memory.usage).toBeGreaterThan(0);
    const text = textOf(r);
    expect(text).toMatch(new RegExp(`^${NAME} Running \\(pid \\d+, \\d+ processes, started `));
    expect(text).toMatch(/\ncpu: [\d.]+ s used\nmemory: .*B.*; swap: /);
    expect(text).toMatch(/\nnet lo \(loopback, /);
    const missing = await c.call("get-instance-state", { instance: `${NAME}-nope` });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/HTTP 404/);
  });

  it("freeze and unfreeze, each reporting the state it leaves", async () => {
    expect(structured<{ status: string }>(await c.call("freeze-instance", { instance: NAME })).status).toBe("Frozen");
    expect(status()).toBe("FROZEN");
    const again = await c.call("freeze-instance", { instance: NAME });
    expect(again.isError).toBe(true);
    expect(structured<{ status: string }>(await c.call("unfreeze-instance", { instance: NAME })).status).toBe(
      "Running",
    );
  });

  it("restart-instance comes back Running with a new init", async () => {
    const before = structured<{ state: { pid: number } }>(await c.call("get-instance-state", { instance: NAME }));
    const r = structured<{ status: string; succeeded: boolean }>(
      await c.call("restart-instance", { instance: NAME, force: true }),
    );
    expect(r).toMatchObject({ status: "Running", succeeded: true });
    const after = structured<{ state: { pid: number } }>(await c.call("get-instance-state", { instance: NAME }));
    expect(after.state.pid).not.toBe(before.state.pid);
  });

  it("get-console-log returns what the console printed since the last read, bounded to the tail", async () => {
    const marker = `console-marker-${randomBytes(4).toString("hex")}`;
    incus("exec", NAME, "--", "sh", "-c", `echo ${marker} > /dev/console`);
    const first = structured<{ content: string; truncated: boolean }>(
      await c.call("get-console-log", { instance: NAME }),
    );
    expect(first.content).toContain(`${marker}\r\n`);
    expect(first.truncated).toBe(false);
    // Incus hands each console byte out once: the next read has only what came after.
    const drained = await c.call("get-console-log", { instance: NAME });
    expect(textOf(drained)).toMatch(/nothing new since the last read/);

    incus("exec", NAME, "--", "sh", "-c", "echo 0123456789abcdef > /dev/console");
    const tail = await c.call("get-console-log", { instance: NAME, maxBytes: 8 });
    expect(structured(tail)).toMatchObject({ content: "abcdef\r\n", droppedBytes: 10, truncated: true });
    expect(textOf(tail)).toMatch(/the 10 bytes before them were dropped; .*raise maxBytes next time/);
  });

  it("logs: lists lxc.log, reads its tail and a window from an offset, with the offsets of the rest", async () => {
    const list = structured<{ files: string[] }>(await c.call("list-instance-logs", { instance: NAME }));
    expect(list.files).toContain("lxc.log");
    const whole = structured<{ content: string; totalBytes: number; truncated: boolean }>(
      await c.call("get-instance-log", { instance: NAME, file: "lxc.log", maxBytes: 1_048_576 }),
    );
    expect(whole.truncated).toBe(false);
    expect(whole.totalBytes).toBe(Buffer.byteLength(whole.content));
    expect(whole.totalBytes).toBeGreaterThan(100);

    const tail = await c.call("get-instance-log", { instance: NAME, file: "lxc.log", maxBytes: 40 });
    const t = structured<{ content: string; offset: number; nextOffset: number; truncated: boolean }>(tail);
    expect(t).toMatchObject({ offset: whole.totalBytes - 40, nextOffset: whole.totalBytes, truncated: true });
    expect(t.content).toBe(whole.content.slice(-40));
    expect(textOf(tail)).toMatch(
      new RegExp(
        `bytes ${whole.totalBytes - 40}-${whole.totalBytes} of ${whole.totalBytes} \\(truncated; earlier bytes: offset=`,
      ),
    );

    const head = await c.call("get-instance-log", { instance: NAME, file: "lxc.log", offset: 0, maxBytes: 30 });
    expect(structured<{ content: string }>(head).content).toBe(whole.content.slice(0, 30));
    expect(textOf(head)).toContain("later bytes: offset=30");

    const past = structured<{ content: string; totalBytes: number }>(
      await c.call("get-instance-log", { instance: NAME, file: "lxc.log", offset: whole.totalBytes + 10 }),
    );
    expect(past).toMatchObject({ content: "", totalBytes: whole.totalBytes });
    // Incus serves only its own log names (lxc.log, exec output): others are refused, not missing.
    const missing = await c.call("get-instance-log", { instance: NAME, file: "nope.log" });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/HTTP 400 .*not valid/);
  });

  it("push-file / pull-file: text with uid, gid and mode set, then kept on overwrite", async () => {
    const w = structured<{ uid: number; gid: number; mode: string }>(
      await c.call("push-file", {
        instance: NAME,
        path: "/tmp/a.txt",
        content: "héllo\n",
        uid: 12,
        gid: 34,
        mode: "640",
      }),
    );
    expect(w).toMatchObject({ uid: 12, gid: 34, mode: "0640" });
    expect(incus("exec", NAME, "--", "stat", "-c", "%u %g %a %s", "/tmp/a.txt").trim()).toBe("12 34 640 7");
    const r = await c.call("pull-file", { instance: NAME, path: "/tmp/a.txt" });
    expect(structured(r)).toMatchObject({
      content: "héllo\n",
      encoding: "utf8",
      uid: 12,
      gid: 34,
      mode: "0640",
      size: 7,
    });
    expect(textOf(r)).toMatch(/^\/tmp\/a\.txt: file, uid 12, gid 34, mode 0640, 7 bytes\nhéllo\n$/);

    await c.call("push-file", { instance: NAME, path: "/tmp/a.txt", content: "second" });
    expect(incus("exec", NAME, "--", "stat", "-c", "%u %g %a %s", "/tmp/a.txt").trim()).toBe("12 34 640 6");
    await c.call("push-file", { instance: NAME, path: "/tmp/a.txt", content: "+more", append: true });
    expect(incus("exec", NAME, "--", "cat", "/tmp/a.txt")).toBe("second+more");
  });

  it("binary files round-trip as base64; a file past maxBytes is cut and marked", async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x80]), randomBytes(5000)]);
    await c.call("push-file", {
      instance: NAME,
      path: "/tmp/b.bin",
      content: bytes.toString("base64"),
      encoding: "base64",
    });
    expect(incus("exec", NAME, "--", "md5sum", "/tmp/b.bin").split(" ")[0]).toBe(
      (await import("node:crypto")).createHash("md5").update(bytes).digest("hex"),
    );
    const back = structured<{ content: string; encoding: string; size: number; truncated: boolean }>(
      await c.call("pull-file", { instance: NAME, path: "/tmp/b.bin" }),
    );
    expect(back).toMatchObject({ encoding: "base64", size: bytes.length, truncated: false });
    expect(Buffer.from(back.content, "base64").equals(bytes)).toBe(true);

    const cut = await c.call("pull-file", { instance: NAME, path: "/tmp/b.bin", maxBytes: 100 });
    const s = structured<{ content: string; size: number; truncated: boolean }>(cut);
    expect(s).toMatchObject({ size: bytes.length, truncated: true });
    expect(Buffer.from(s.content, "base64").equals(bytes.subarray(0, 100))).toBe(true);
    expect(textOf(cut)).toMatch(/first 100 bytes shown \(truncated: raise maxBytes, up to 16777216\)/);
  });

  it("directories list their entries; symlinks, mkdir, delete-file (recursive) and bad paths", async () => {
    await c.call("push-file", { instance: NAME, path: "/tmp/d", type: "directory", mode: "0700" });
    await c.call("push-file", { instance: NAME, path: "/tmp/d/x", content: "x" });
    await c.call("push-file", { instance: NAME, path: "/tmp/link", type: "symlink", content: "/tmp/d/x" });
    expect(incus("exec", NAME, "--", "readlink", "/tmp/link").trim()).toBe("/tmp/d/x");
    const dir = await c.call("pull-file", { instance: NAME, path: "/tmp/d" });
    expect(structured(dir)).toMatchObject({ type: "directory", entries: ["x"], mode: "0700" });
    expect(
      structured<{ entries: string[] }>(await c.call("pull-file", { instance: NAME, path: "/tmp" })).entries,
    ).toEqual(expect.arrayContaining(["a.txt", "b.bin", "d", "link"]));

    await c.call("push-file", { instance: NAME, path: "/tmp/d/sub", type: "directory" });
    await c.call("push-file", { instance: NAME, path: "/tmp/d/sub/y", content: "y" });
    await c.call("push-file", { instance: NAME, path: "/tmp/d/sub/up", type: "symlink", content: "/tmp" });
    const notEmpty = await c.call("delete-file", { instance: NAME, path: "/tmp/d" });
    expect(notEmpty.isError).toBe(true);
    expect(textOf(notEmpty)).toMatch(/directory not empty/);
    const tree = structured<{ removed: number }>(
      await c.call("delete-file", { instance: NAME, path: "/tmp/d", recursive: true }),
    );
    // d, x, sub, y, up — the symlink to /tmp is removed as a link, never followed
    expect(tree.removed).toBe(5);
    expect((await c.call("delete-file", { instance: NAME, path: "/", recursive: true })).isError).toBe(true);
    expect((await c.call("delete-file", { instance: NAME, path: "/tmp/a.txt" })).isError).toBeFalsy();
    const gone = await c.call("pull-file", { instance: NAME, path: "/tmp/a.txt" });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toMatch(/HTTP 404/);
    const left = incus("exec", NAME, "--", "ls", "/tmp").split("\n");
    expect(left).not.toContain("d");
    expect(left).toEqual(expect.arrayContaining(["b.bin", "link"]));

    const relative = await c.call("pull-file", { instance: NAME, path: "tmp/x" });
    expect(textOf(relative)).toMatch(/Invalid argument "path": must be absolute/);
    const badMode = await c.call("push-file", { instance: NAME, path: "/tmp/m", mode: "rwx" });
    expect(badMode.isError).toBe(true);
    expect(textOf(badMode)).toMatch(/octal like 0644 at mode/);
    const dirContent = await c.call("push-file", { instance: NAME, path: "/tmp/e", type: "directory", content: "x" });
    expect(textOf(dirContent)).toMatch(/Invalid argument "content": a directory takes no content/);
  });

  it("stop-instance: progress while a clean shutdown hangs; cancelling stops the wait, the stop goes on; force stops", async () => {
    // An init that ignores shutdown signals: a clean stop now waits out its whole timeout.
    await c.call("push-file", { instance: NAME, path: "/sbin/init", content: STUBBORN_INIT, mode: "0755" });
    await c.call("restart-instance", { instance: NAME, force: true });
    const progress: string[] = [];
    const ac = new AbortController();
    const call = c.client.callTool({ name: "stop-instance", arguments: { instance: NAME, timeout: 6 } }, undefined, {
      signal: ac.signal,
      onprogress: (p) => {
        progress.push(p.message ?? "");
        if (progress.length >= 2) ac.abort();
      },
    });
    await expect(call).rejects.toThrow();
    expect(progress[0]).toMatch(/^Stopping instance: operation [0-9a-f-]{36} Running$/);
    expect(progress[1]).toMatch(/^Running: Stopping instance/);
    // The daemon cannot cancel a stop: it goes on and fails when the clean-shutdown timeout passes.
    const id = /operation ([0-9a-f-]{36})/.exec(progress[0] ?? "")?.[1];
    const waited = structured<{ done: boolean; operation: { status: string; err: string } }>(
      await c.call("wait-operation", { id, timeout: 30 }),
    );
    expect(waited.done).toBe(true);
    expect(waited.operation.status).toBe("Failure");
    expect(status()).toBe("RUNNING");

    const forced = structured<{ status: string; succeeded: boolean }>(
      await c.call("stop-instance", { instance: NAME, force: true }),
    );
    expect(forced).toMatchObject({ status: "Stopped", succeeded: true });
    const again = await c.call("stop-instance", { instance: NAME, force: true });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/already stopped/i);
  });

  it("hints are truthful: stop, restart, freeze, push/delete-file destructive; state, logs and pulls read-only", async () => {
    const { tools } = await c.client.listTools();
    const hint = (n: string) => tools.find((t) => t.name === n)?.annotations;
    for (const n of ["stop-instance", "restart-instance", "freeze-instance", "delete-file", "push-file"]) {
      expect(hint(n)?.destructiveHint, n).toBe(true);
    }
    for (const n of ["start-instance", "unfreeze-instance"]) expect(hint(n)?.destructiveHint, n).toBe(false);
    for (const n of ["get-instance-state", "list-instance-logs", "get-instance-log", "pull-file"]) {
      expect(hint(n)?.readOnlyHint, n).toBe(true);
    }
    // reading the console drains its buffer on the daemon
    expect(hint("get-console-log")).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
  });
});
