import { textOf, waitFor } from "@infra-mcp/core/testing";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, connect, createTokenOperation, gate, INSTANCE, structured } from "./helpers.js";

describe.skipIf(gate.skip)("operations against a real Incus daemon", () => {
  let c: Awaited<ReturnType<typeof connect>>;
  const tokens: string[] = [];
  beforeAll(async () => {
    c = await connect();
  });
  afterAll(async () => {
    for (const id of tokens) await api("DELETE", `/1.0/operations/${id}`).catch(() => {});
    await c.close();
  });

  it("lists a running token operation by id and as a full object", async () => {
    const op = await createTokenOperation(`mcp-test-list-${process.pid}`);
    tokens.push(op.id);
    const ids = structured<{ operations: Record<string, string[]> }>(
      await c.call("get-operations", { status: "running", limit: 1000 }),
    );
    expect(ids.operations.running).toContain(op.id);
    const full = structured<{ operations: { id: string; class: string; may_cancel: boolean }[] }>(
      await c.call("get-operations-2", { "all-projects": true, limit: 1000 }), // every page
    );
    const mine = full.operations.find((o) => o.id === op.id);
    expect(mine).toMatchObject({ id: op.id, class: "token", may_cancel: true });
    const state = await c.call("get-operation-state", { id: `/1.0/operations/${op.id}` });
    expect(structured<{ operation: { status: string } }>(state).operation.status).toBe("Running");
    expect(textOf(state)).toContain("(cancellable)");
  });

  it("waits with a timeout (Incus answers 200 + error body), then cancels and sees Cancelled", async () => {
    const op = await createTokenOperation(`mcp-test-wait-${process.pid}`);
    tokens.push(op.id);
    const t0 = Date.now();
    const waited = structured<{ done: boolean; timedOut: boolean; operation: { status: string } }>(
      await c.call("wait-operation", { id: op.id, timeout: 2 }),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_900);
    expect(waited).toMatchObject({ done: false, timedOut: true, operation: { status: "Running" } });

    const cancelled = await c.call("cancel-operation", { id: op.id });
    expect(cancelled.isError).toBeFalsy();
    const after = structured<{ done: boolean; operation: { status: string } }>(
      await c.call("wait-operation", { id: op.id, timeout: 5 }),
    );
    expect(after).toMatchObject({ done: true, operation: { status: "Cancelled" } });
  });

  it("wait-operation-2 (public) works with the operation's secret and refuses a wrong one", async () => {
    const op = await createTokenOperation(`mcp-test-public-${process.pid}`);
    tokens.push(op.id);
    const ok = structured<{ done: boolean; timedOut: boolean }>(
      await c.call("wait-operation-2", { id: op.id, secret: op.metadata.secret, timeout: 1 }),
    );
    expect(ok).toMatchObject({ done: false, timedOut: true });
    const bad = await c.call("wait-operation-2", { id: op.id, secret: "not-the-secret", timeout: 1 });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/HTTP 403.*not authorized/);
    // public wait finishes once the operation is cancelled elsewhere
    let beats = 0;
    const pending = c.client.callTool(
      { name: "wait-operation-2", arguments: { id: op.id, secret: op.metadata.secret, timeout: 30 } },
      undefined,
      { onprogress: () => beats++, timeout: 60_000 },
    );
    // A progress beat comes from the wait's heartbeat, which runs beside the upstream wait request:
    // once one arrives, the wait is in flight and the cancel below lands during it, not before it.
    await waitFor(() => beats > 0, { what: "a progress beat from the public wait", timeoutMs: 20_000 });
    await api("DELETE", `/1.0/operations/${op.id}`);
    const done = structured<{ done: boolean; operation: { status: string } }>((await pending) as CallToolResult);
    expect(done).toMatchObject({ done: true, operation: { status: "Cancelled" } });
  });

  it("sends MCP progress notifications while waiting, and a client cancel aborts the wait", async () => {
    const op = await createTokenOperation(`mcp-test-progress-${process.pid}`);
    tokens.push(op.id);
    const progress: { progress: number; total?: number | undefined; message?: string | undefined }[] = [];
    const ac = new AbortController();
    const call = c.client.callTool({ name: "wait-operation", arguments: { id: op.id, timeout: -1 } }, undefined, {
      signal: ac.signal,
      onprogress: (p) => progress.push(p),
      timeout: 120_000,
    });
    await waitFor(() => progress.length >= 1, { what: "a progress notification", timeoutMs: 20_000 });
    ac.abort();
    await expect(call).rejects.toThrow();
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[0]?.message).toMatch(/Running/);
    expect(progress[0]?.total).toBeUndefined(); // -1: no total
    // server still answers after the cancelled call
    const state = await c.call("get-operation-state", { id: op.id });
    expect(state.isError).toBeFalsy();
  });

  it("a long wait is not cut by the default request timeout", async () => {
    const short = await connect({ INCUS_SOCKET: "/var/lib/incus/unix.socket", INCUS_TIMEOUT_MS: "1000" });
    try {
      const op = await createTokenOperation(`mcp-test-long-${process.pid}`);
      tokens.push(op.id);
      const t0 = Date.now();
      const r = structured<{ timedOut: boolean }>(await short.call("wait-operation", { id: op.id, timeout: 3 }));
      expect(r.timedOut).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2_900);
    } finally {
      await short.close();
    }
  });

  it("an exec operation is not cancellable: clear error from the daemon", async () => {
    const op = await api<{ id: string; may_cancel: boolean }>("POST", `/1.0/instances/${INSTANCE}/exec`, {
      command: ["sleep", "5"],
      "wait-for-websocket": false,
    });
    expect(op.may_cancel).toBe(false);
    const r = await c.call("cancel-operation", { id: op.id });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/HTTP 400.*can't be cancelled/);
  });

  it("bad input: unknown operation id, dot segments and empty ids are clear errors", async () => {
    const unknown = await c.call("get-operation-state", { id: "00000000-0000-0000-0000-000000000000" });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/404.*Operation not found/);
    const wait = await c.call("wait-operation", { id: "00000000-0000-0000-0000-000000000000", timeout: 1 });
    expect(textOf(wait)).toMatch(/404/);
    const dots = await c.call("cancel-operation", { id: ".." });
    expect(textOf(dots)).toMatch(/Invalid argument "id"/);
    for (const id of ["", "  "]) {
      const empty = await c.call("get-operation-state", { id });
      expect(empty.isError).toBe(true);
      expect(textOf(empty)).toMatch(/Invalid argument "id".*empty/);
    }
    const noSecret = await c.call("get-websocket-stream", { id: "x", secret: "" });
    expect(noSecret.isError).toBe(true);
    expect(textOf(noSecret)).toMatch(/secret/);
    const badTimeout = await c.call("wait-operation", { id: "x", timeout: -5 });
    expect(badTimeout.isError).toBe(true);
    expect(textOf(badTimeout)).toMatch(/timeout/);
    // still up
    expect((await c.call("get-operations", {})).isError).toBeFalsy();
  });
});
