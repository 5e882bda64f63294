import type { WebSocket } from "@infra-mcp/core";
import { textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIncusClient } from "../src/config.js";
import { createExec, openFd, sendBarrier } from "../src/exec.js";
import { connect, gate, INSTANCE, SOCKET, structured, untilGone, untilRunning } from "./helpers.js";

interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutEncoding: string;
  stdoutBytes: number;
  stdoutTruncated: boolean;
  timedOut: boolean;
}

describe.skipIf(gate.skip)("exec and operation websockets against a real Incus daemon", () => {
  let c: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    c = await connect();
  });
  afterAll(async () => {
    await c.close();
  });

  it("returns stdout, stderr and exit code exactly", async () => {
    const r = structured<ExecResult>(
      await c.call("exec-in-instance", { instance: INSTANCE, command: ["sh", "-c", "echo out; echo err >&2; exit 3"] }),
    );
    expect(r).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n", timedOut: false });
  });

  it("round-trips stdin through cat (text and binary), with env and cwd", async () => {
    const text = `héllo\n${"x".repeat(200_000)}\nend`;
    const r = structured<ExecResult>(
      await c.call("exec-in-instance", { instance: INSTANCE, command: ["cat"], stdin: text }),
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(text);
    const bin = Buffer.from([0, 255, 254, 1, 2, 0x80]);
    const b = structured<ExecResult>(
      await c.call("exec-in-instance", {
        instance: INSTANCE,
        command: ["cat"],
        stdin: bin.toString("base64"),
        stdinEncoding: "base64",
      }),
    );
    expect(b.stdoutEncoding).toBe("base64");
    expect(Buffer.from(b.stdout, "base64").equals(bin)).toBe(true);
    const e = structured<ExecResult>(
      await c.call("exec-in-instance", {
        instance: INSTANCE,
        command: ["sh", "-c", 'echo "$GREETING $(pwd)"'],
        environment: { GREETING: "hi" },
        cwd: "/tmp",
      }),
    );
    expect(e.stdout).toBe("hi /tmp\n");
  });

  it("caps a 20 MiB stream, marks it truncated and stops reading (the producer gets SIGPIPE)", async () => {
    const r = structured<ExecResult>(
      await c.call("exec-in-instance", {
        instance: INSTANCE,
        command: ["sh", "-c", "head -c 20971520 /dev/zero | tr '\\0' a"],
        maxOutputBytes: 65_536,
      }),
    );
    expect(r.exitCode).toBe(141);
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stdoutBytes).toBeLessThan(20 * 1024 * 1024);
    expect(r.stdout).toBe("a".repeat(65_536));
  });

  it("kills the command on timeout", async () => {
    const marker = `sleep 4${process.pid % 1000}1`;
    const t0 = Date.now();
    const res = await c.call("exec-in-instance", { instance: INSTANCE, command: marker.split(" "), timeoutSeconds: 2 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.isError).toBe(true);
    expect(structured<ExecResult>({ ...res, isError: false }).timedOut).toBe(true);
    expect(textOf(res)).toMatch(/timed out after 2s/);
    await untilGone(marker);
  });

  it("a client cancel mid-exec kills the command in the instance", async () => {
    const marker = `sleep 5${process.pid % 1000}2`;
    const ac = new AbortController();
    const call = c.client.callTool(
      { name: "exec-in-instance", arguments: { instance: INSTANCE, command: marker.split(" "), timeoutSeconds: 120 } },
      undefined,
      { signal: ac.signal },
    );
    expect(await untilRunning(marker)).toHaveLength(1);
    ac.abort();
    await expect(call).rejects.toThrow();
    await untilGone(marker);
  });

  it("reads an exec's stdout through get-websocket-stream with the operation's secret", async () => {
    const client = createIncusClient({ INCUS_SOCKET: SOCKET });
    try {
      const op = await createExec(
        client,
        { instance: INSTANCE, command: ["sh", "-c", "echo streamed; echo e >&2"] },
        undefined,
      );
      // The operation (and its fds secrets) as the model would see it:
      const state = structured<{ operation: { metadata: { fds: Record<string, string> } } }>(
        await c.call("get-operation-state", { id: op.id }),
      );
      const fds = state.operation.metadata.fds;
      const others: WebSocket[] = [];
      for (const fd of ["0", "2", "control"]) others.push(await openFd(client, op.id, fds[fd] as string));
      await sendBarrier(others[0] as WebSocket);
      const out = structured<{ data: string; endReason: string; truncated: boolean; encoding: string }>(
        await c.call("get-websocket-stream", { id: op.id, secret: fds["1"], timeoutSeconds: 10 }),
      );
      expect(out).toMatchObject({ data: "streamed\n", truncated: false, encoding: "utf8" });
      expect(["closed", "end-of-stream"]).toContain(out.endReason);
      for (const ws of others) ws.terminate();
    } finally {
      await client.http.close();
    }
  });

  it("get-websocket-stream-2 (public) reads with the secret too; a wrong secret is refused", async () => {
    const client = createIncusClient({ INCUS_SOCKET: SOCKET });
    try {
      const op = await createExec(client, { instance: INSTANCE, command: ["echo", "public"] }, undefined);
      const others: WebSocket[] = [];
      for (const fd of ["0", "2", "control"]) others.push(await openFd(client, op.id, op.fds[fd] as string));
      await sendBarrier(others[0] as WebSocket);
      const bad = await c.call("get-websocket-stream-2", { id: op.id, secret: "wrong-secret", timeoutSeconds: 5 });
      expect(bad.isError).toBe(true);
      // Refused before connecting: the secret is looked up in the operation's fds (read-only tools
      // read output sockets only); Incus itself would answer 403.
      expect(textOf(bad)).toMatch(/"secret": is not one of this operation's output sockets/);
      const out = structured<{ data: string }>(
        await c.call("get-websocket-stream-2", { id: op.id, secret: op.fds["1"], timeoutSeconds: 10 }),
      );
      expect(out.data).toBe("public\n");
      for (const ws of others) ws.terminate();
    } finally {
      await client.http.close();
    }
  });

  it("bad input: missing instance, empty command, unknown operation stream", async () => {
    const missing = await c.call("exec-in-instance", { instance: "no-such-instance", command: ["true"] });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/404.*Instance not found/);
    const empty = await c.call("exec-in-instance", { instance: INSTANCE, command: [] });
    expect(textOf(empty)).toMatch(/command/);
    const noop = await c.call("get-websocket-stream", { id: "00000000-0000-0000-0000-000000000000", secret: "abc" });
    expect(noop.isError).toBe(true);
    expect(textOf(noop)).toMatch(/HTTP 40[34]/);
    expect((await c.call("list-instances", {})).isError).toBeFalsy();
  });

  it("list-instances finds c1", async () => {
    const r = structured<{ instances: { name: string; status: string }[] }>(await c.call("list-instances", {}));
    expect(r.instances).toContainEqual(expect.objectContaining({ name: INSTANCE, status: "Running" }));
  });
});
