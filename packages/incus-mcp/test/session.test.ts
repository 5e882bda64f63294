import { sessionReadOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, connect, gate, INSTANCE, structured, untilGone, untilRunning } from "./helpers.js";

interface Read {
  text: string;
  nextOffset: number;
  state: string;
  exitCode?: number | null;
}

interface Opened {
  sessionId: string;
  operationId: string;
}

describe.skipIf(gate.skip)("interactive exec sessions against a real Incus daemon", () => {
  let c: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    c = await connect();
  });
  afterAll(async () => {
    await c.close();
  });

  /** Status of the exec operation; finished operations vanish after ~5 s (then "gone"). */
  async function opStatus(id: string): Promise<string> {
    try {
      return (await api<{ status: string }>("GET", `/1.0/operations/${id}`)).status;
    } catch {
      return "gone";
    }
  }

  /** Reads until `pattern` shows up in the accumulated output or the session exits. */
  async function readUntil(sessionId: string, pattern: RegExp, from = 0) {
    let offset = from;
    let all = "";
    for (let i = 0; i < 20; i++) {
      const r = sessionReadOf(await c.call("session-read", { sessionId, offset, waitMs: 1_000 })) as Read;
      all += r.text;
      offset = r.nextOffset;
      if (pattern.test(all) || r.state === "exited") return { all, offset, last: r };
    }
    return { all, offset, last: undefined };
  }

  it("registers open-exec-session and the session tools", async () => {
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ["open-exec-session", "session-read", "session-write", "session-resize", "session-signal"]) {
      expect(names).toContain(n);
    }
    expect(names).toEqual(expect.arrayContaining(["session-close", "session-list"]));
  });

  it("runs a shell: two writes, reads by offset, resize, exit code, operation ends", async () => {
    const open = structured<Opened>(
      await c.call("open-exec-session", { instance: INSTANCE, command: ["/bin/sh"], cols: 100, rows: 30 }),
    );
    const id = open.sessionId;
    expect(await opStatus(open.operationId)).toBe("Running");
    await c.call("session-write", { sessionId: id, data: "stty size; echo marker-$((40+2))\n" });
    const first = await readUntil(id, /marker-42/);
    expect(first.all).toContain("30 100");
    expect(first.all).toContain("marker-42");
    expect(structured(await c.call("session-resize", { sessionId: id, cols: 132, rows: 43 }))).toMatchObject({
      cols: 132,
      rows: 43,
    });
    await c.call("session-write", { sessionId: id, data: "stty size\n" });
    const second = await readUntil(id, /43 132/, first.offset);
    expect(second.offset).toBeGreaterThan(first.offset);
    expect(second.all).toContain("43 132");
    expect(second.all).not.toContain("marker-42"); // read from the offset: earlier output not repeated
    await c.call("session-write", { sessionId: id, data: "exit 0\n" });
    const end = await readUntil(id, /$^/, second.offset);
    expect(end.last).toMatchObject({ state: "exited", exitCode: 0 });
    // Incus closed control on exit; we closed fd 0, so the operation is no longer Running.
    expect(["Success", "gone"]).toContain(await opStatus(open.operationId));
    expect(
      structured<{ sessions: { id: string; state: string }[] }>(await c.call("session-list", {})).sessions,
    ).toEqual(expect.arrayContaining([expect.objectContaining({ id, state: "exited" })]));
    const w = await c.call("session-write", { sessionId: id, data: "echo late\n" });
    expect(w.isError).toBe(true);
    await c.call("session-close", { sessionId: id });
  });

  it("a non-zero exit code comes through", async () => {
    const open = structured<Opened>(await c.call("open-exec-session", { instance: INSTANCE, command: ["/bin/sh"] }));
    await c.call("session-write", { sessionId: open.sessionId, data: "exit 7\n" });
    const end = await readUntil(open.sessionId, /$^/);
    expect(end.last).toMatchObject({ state: "exited", exitCode: 7 });
    await c.call("session-close", { sessionId: open.sessionId });
  });

  it("eof (^D) ends cat; signal interrupts; close kills a running command", async () => {
    const cat = structured<{ sessionId: string }>(
      await c.call("open-exec-session", { instance: INSTANCE, command: ["cat"] }),
    );
    await c.call("session-write", { sessionId: cat.sessionId, data: "ping\n", eof: true });
    const out = await readUntil(cat.sessionId, /$^/);
    expect(out.all).toContain("ping");
    expect(out.last).toMatchObject({ state: "exited", exitCode: 0 });

    const marker = `sleep 6${process.pid % 1000}3`;
    const sig = structured<{ sessionId: string }>(
      await c.call("open-exec-session", { instance: INSTANCE, command: marker.split(" ") }),
    );
    await untilRunning(marker); // a signal sent before the process exists would be lost
    await c.call("session-signal", { sessionId: sig.sessionId, signal: 15 });
    const sigEnd = await readUntil(sig.sessionId, /$^/);
    expect(sigEnd.last?.state).toBe("exited");
    expect(sigEnd.last?.exitCode).toBe(128 + 15);

    const marker2 = `sleep 6${process.pid % 1000}4`;
    const k = structured<{ sessionId: string }>(
      await c.call("open-exec-session", { instance: INSTANCE, command: marker2.split(" ") }),
    );
    expect(await untilRunning(marker2)).toHaveLength(1);
    await c.call("session-close", { sessionId: k.sessionId });
    await untilGone(marker2);
  });
});
