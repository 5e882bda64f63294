import { sessionTools } from "@infra-mcp/core";
import { connectInMemory } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IncusClient, incusVendor } from "../src/index.js";
import { openExecSession } from "../src/tools/open-exec-session.js";
import { INSTANCE, psMatching, structured } from "./helpers.js";

interface Read {
  text: string;
  nextOffset: number;
  state: string;
  exitCode?: number | null;
}

// KNOWN BROKEN, not counted as passing: the interactive exec starts in the instance (ps shows it) but
// no output arrives on fd 0 and written input never reaches it. The tool is not registered until fixed;
// these tests call it through a vendor with the tool added, to be switched on by the fix.
describe.skip("interactive exec sessions against a real Incus daemon (KNOWN BROKEN)", () => {
  let c: Awaited<ReturnType<typeof connectInMemory>>;
  beforeAll(async () => {
    c = await connectInMemory({
      ...incusVendor,
      tools: [...incusVendor.tools, openExecSession, ...sessionTools<IncusClient>()],
    });
  });
  afterAll(async () => {
    await c.close();
  });

  /** Reads until `pattern` shows up in the accumulated output or the session exits. */
  async function readUntil(sessionId: string, pattern: RegExp, from = 0) {
    let offset = from;
    let all = "";
    for (let i = 0; i < 20; i++) {
      const r = structured<Read>(await c.call("session-read", { sessionId, offset, waitMs: 1_000 }));
      all += r.text;
      offset = r.nextOffset;
      if (pattern.test(all) || r.state === "exited") return { all, offset, last: r };
    }
    return { all, offset, last: undefined };
  }

  it("runs a shell: write, read by offset, resize, exit code on exit", async () => {
    const open = structured<{ sessionId: string }>(
      await c.call("open-exec-session", { instance: INSTANCE, command: ["/bin/sh"], cols: 100, rows: 30 }),
    );
    const id = open.sessionId;
    await c.call("session-write", { sessionId: id, data: "stty size; echo marker-$((40+2))\n" });
    const first = await readUntil(id, /marker-42/);
    expect(first.all).toContain("30 100");
    expect(first.all).toContain("marker-42");
    expect(structured(await c.call("session-resize", { sessionId: id, cols: 132, rows: 43 }))).toMatchObject({
      cols: 132,
    });
    await c.call("session-write", { sessionId: id, data: "stty size\n" });
    const second = await readUntil(id, /43 132/, first.offset);
    expect(second.all).toContain("43 132");
    await c.call("session-write", { sessionId: id, data: "exit 7\n" });
    const end = await readUntil(id, /$^/, second.offset);
    expect(end.last).toMatchObject({ state: "exited", exitCode: 7 });
    await c.call("session-close", { sessionId: id });
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
    await new Promise((r) => setTimeout(r, 500));
    await c.call("session-signal", { sessionId: sig.sessionId, signal: 15 });
    const sigEnd = await readUntil(sig.sessionId, /$^/);
    expect(sigEnd.last?.state).toBe("exited");
    expect(sigEnd.last?.exitCode).toBe(128 + 15);

    const marker2 = `sleep 6${process.pid % 1000}4`;
    const k = structured<{ sessionId: string }>(
      await c.call("open-exec-session", { instance: INSTANCE, command: marker2.split(" ") }),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(psMatching(marker2).length).toBe(1);
    await c.call("session-close", { sessionId: k.sessionId });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(psMatching(marker2)).toEqual([]);
  });
});
