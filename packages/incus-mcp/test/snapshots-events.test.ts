import { randomBytes } from "node:crypto";
import type { VendorDefinition } from "@infra-mcp/core";
import { type NetworkHandle, serveNetwork } from "@infra-mcp/core/network";
import { LOOPBACK_TEST_NETWORK, sessionReadOf, textOf, waitFor } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { incusVendor } from "../src/index.js";
import { type connect, createOwnInstance, gate, removeOwnInstance, SOCKET, structured } from "./helpers.js";

/** Snapshots, the event stream (as a session and as a raw websocket on the REST surface) and REST routes. */
const NAME = `mcp-test-${process.pid}-${randomBytes(3).toString("hex")}`;

interface IncusEvent {
  type: string;
  project?: string;
  metadata: { action?: string; source?: string; class?: string; description?: string };
}

/** Reads a session until `match` finds an event or `ms` passes. */
async function readEvents(
  c: Awaited<ReturnType<typeof connect>>,
  sessionId: string,
  match: (e: IncusEvent) => boolean,
  ms = 20_000,
): Promise<IncusEvent[]> {
  const seen: IncusEvent[] = [];
  let offset = 0;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const r = sessionReadOf(await c.call("session-read", { sessionId, offset, waitMs: 1_000 }));
    offset = r.nextOffset;
    for (const line of r.text.split("\n").filter(Boolean)) seen.push(JSON.parse(line) as IncusEvent);
    if (seen.some(match)) return seen;
  }
  return seen;
}

describe.skipIf(gate.skip)("snapshots, events and REST routes (own instance)", () => {
  let c: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    c = await createOwnInstance(NAME);
  }, 60_000);
  afterAll(() => removeOwnInstance(NAME, c), 60_000);

  it("create, list, restore and delete snapshots through operations", async () => {
    await c.call("push-file", { instance: NAME, path: "/root/state", content: "before" });
    const made = await c.call("create-snapshot", { instance: NAME, snapshot: "s1" });
    expect(structured(made)).toMatchObject({ snapshot: "s1", done: true, succeeded: true });
    expect(textOf(made)).toMatch(new RegExp(`^${NAME}/s1: Snapshotting instance: Success`));
    // no name: Incus picks one from snapshots.pattern, and the answer names it
    const auto = structured<{ snapshot: string }>(await c.call("create-snapshot", { instance: NAME }));
    expect(auto.snapshot).toMatch(/^snap\d+$/);

    const list = structured<{ snapshots: { name: string; stateful: boolean }[]; total: number }>(
      await c.call("list-snapshots", { instance: NAME }),
    );
    expect(list.snapshots.map((s) => s.name)).toEqual(["s1", auto.snapshot]);
    expect(list.total).toBe(2);
    const paged = await c.call("list-snapshots", { instance: NAME, limit: 1 });
    expect(textOf(paged)).toMatch(/1 of 2 snapshots shown .*offset=1 for more/);

    await c.call("push-file", { instance: NAME, path: "/root/state", content: "after" });
    const restored = await c.call("restore-snapshot", { instance: NAME, snapshot: "s1" });
    expect(structured(restored)).toMatchObject({ succeeded: true, status: "Stopped" });
    expect(
      structured<{ content: string }>(await c.call("pull-file", { instance: NAME, path: "/root/state" })).content,
    ).toBe("before");

    const dup = await c.call("create-snapshot", { instance: NAME, snapshot: "s1" });
    expect(dup.isError).toBe(true);
    // Incus 6.0 fails the operation (not the request) on a duplicate name: the answer is its err
    expect(textOf(dup)).toMatch(/Snapshotting instance: Failure — .*"s1"/);
    expect(structured<{ operation: { status: string } }>({ ...dup, isError: false }).operation.status).toBe("Failure");
    const stateful = await c.call("create-snapshot", { instance: NAME, snapshot: "st", stateful: true });
    expect(stateful.isError).toBe(true);
    expect(textOf(stateful)).toMatch(/stateful/i);

    for (const s of ["s1", auto.snapshot]) {
      expect(structured(await c.call("delete-snapshot", { instance: NAME, snapshot: s }))).toMatchObject({
        succeeded: true,
      });
    }
    expect(structured<{ total: number }>(await c.call("list-snapshots", { instance: NAME })).total).toBe(0);
    const missing = await c.call("restore-snapshot", { instance: NAME, snapshot: "nope" });
    expect(missing.isError).toBe(true);
  });

  it("open-events-session: lifecycle events of this project, read by offset with session-read", async () => {
    const opened = structured<{ sessionId: string; label: string }>(
      await c.call("open-events-session", { type: ["lifecycle"] }),
    );
    expect(opened.label).toMatch(/lifecycle events, project default/);
    await c.call("create-snapshot", { instance: NAME, snapshot: "ev1" });
    const events = await readEvents(
      c,
      opened.sessionId,
      (e) => e.metadata.action === "instance-snapshot-created" && String(e.metadata.source).includes(NAME),
    );
    const created = events.find((e) => e.metadata.action === "instance-snapshot-created");
    expect(created).toMatchObject({ type: "lifecycle", project: "default" });
    expect(events.every((e) => e.type === "lifecycle")).toBe(true);
    const write = await c.call("session-write", { sessionId: opened.sessionId, data: "x" });
    expect(textOf(write)).toMatch(/read-only/);
    expect((await c.call("session-close", { sessionId: opened.sessionId })).isError).toBeFalsy();

    // waitMs: the first events come back with the answer
    // waitMs is only an upper bound: the answer comes as soon as the first event does.
    const ops = c.call("open-events-session", { type: ["operation"], "all-projects": true, waitMs: 30_000 });
    // The session is registered once the daemon accepted the events socket: only then does the
    // snapshot's deletion (whose operation reports several events) happen with someone listening.
    await waitFor(
      async () =>
        structured<{ sessions: { kind: string; label: string }[] }>(await c.call("session-list", {})).sessions.some(
          (s) => s.label.includes("operation events"),
        ),
      { what: "the operation events session to be open" },
    );
    await c.call("delete-snapshot", { instance: NAME, snapshot: "ev1" });
    const first = structured<{ sessionId: string; events: IncusEvent[]; nextOffset: number }>(await ops);
    expect(first.events.length).toBeGreaterThan(0);
    expect(first.events.every((e) => e.type === "operation")).toBe(true);
    expect(first.nextOffset).toBeGreaterThan(0);
    await c.call("session-close", { sessionId: first.sessionId });
  });

  describe("REST surface", () => {
    let net: NetworkHandle;
    beforeAll(async () => {
      net = await serveNetwork([incusVendor as unknown as VendorDefinition<unknown>], {
        ...LOOPBACK_TEST_NETWORK,
        http: false,
        rest: true,
        toolsets: ["all"],
        env: { INCUS_SOCKET: SOCKET },
      });
    });
    afterAll(async () => {
      await net?.close();
    });

    it("routes in the seeds' style: state, lifecycle, files, snapshots, remotes", async () => {
      const base = `${net.restUrl}/v1/1-0/instances/${NAME}`;
      // The REST surface takes JSON bodies only (415 otherwise).
      const json = { "content-type": "application/json" };
      const start = await fetch(`${base}/state-start`, { method: "PUT", headers: json, body: "{}" });
      expect(start.status).toBe(200);
      expect(await start.json()).toMatchObject({ status: "Running", succeeded: true });
      const state = (await (await fetch(`${base}/state`)).json()) as { state: { status: string } };
      expect(state.state.status).toBe("Running");

      const push = await fetch(`${base}/files?path=/root/rest.txt`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ content: "via rest", mode: "0600" }),
      });
      expect(await push.json()).toMatchObject({ mode: "0600", bytesWritten: 8 });
      expect(await (await fetch(`${base}/files?path=/root/rest.txt`)).json()).toMatchObject({ content: "via rest" });
      expect((await fetch(`${base}/files?path=/root/rest.txt`, { method: "DELETE" })).status).toBe(200);
      expect((await fetch(`${base}/files?path=/root/rest.txt`)).status).toBe(404);

      expect(
        (await fetch(`${base}/snapshots`, { method: "POST", headers: json, body: '{"snapshot":"r1"}' })).status,
      ).toBe(200);
      expect(await (await fetch(`${base}/snapshots`)).json()).toMatchObject({ snapshots: [{ name: "r1" }] });
      expect((await fetch(`${base}/snapshots/r1/restore`, { method: "PUT", headers: json, body: "{}" })).status).toBe(
        200,
      );
      expect((await fetch(`${base}/snapshots/r1`, { method: "DELETE" })).status).toBe(200);

      const logs = (await (await fetch(`${base}/logs`)).json()) as { files: string[] };
      expect(logs.files).toContain("lxc.log");
      expect(await (await fetch(`${base}/logs/lxc.log?maxBytes=10`)).json()).toMatchObject({ truncated: true });

      const stop = await fetch(`${base}/state-stop`, { method: "PUT", headers: json, body: '{"force":true}' });
      expect(await stop.json()).toMatchObject({ status: "Stopped" });
      const remotes = (await (await fetch(`${net.restUrl}/v1/remotes`)).json()) as { defaultRemote: string };
      expect(remotes.defaultRemote).toBe("local");
      const bad = await fetch(`${base}/state?remote=nowhere`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ field: "remote" });
    });

    it("/v1/1-0/events with Upgrade is the daemon's event websocket passed through raw", async () => {
      const ws = new WebSocket(`${net.restUrl!.replace("http", "ws")}/v1/1-0/events?type=lifecycle`);
      const events: IncusEvent[] = [];
      const got = new Promise<void>((resolve) => {
        ws.on("message", (data) => {
          events.push(JSON.parse(String(data)) as IncusEvent);
          if (events.some((e) => e.metadata.action === "instance-snapshot-created")) resolve();
        });
      });
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      await c.call("create-snapshot", { instance: NAME, snapshot: "ws1" });
      await got;
      expect(events.find((e) => e.metadata.action === "instance-snapshot-created")).toMatchObject({
        type: "lifecycle",
        metadata: { source: `/1.0/instances/${NAME}/snapshots/ws1` },
      });
      ws.close();
      await c.call("delete-snapshot", { instance: NAME, snapshot: "ws1" });
    });
  });
});
