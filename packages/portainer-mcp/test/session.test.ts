import { type ConnectedClient, connectInMemory, sessionReadOf, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

const EXEC_BOX = `pmcp-sess-${uniq}`;
const TICKER = `pmcp-tick-${uniq}`;
const TTY_BOX = `pmcp-ttybox-${uniq}`;
const ECHO_ALL = `pmcp-echo-all-${uniq}`;
const ECHO_CUT = `pmcp-echo-cut-${uniq}`;

type Read = { text: string; nextOffset: number; offset: number; state: string; exitCode?: number | null };

describe.skipIf(gate.skip)("sessions and attach over the Portainer front", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;

  beforeAll(async () => {
    await runContainer(EXEC_BOX, ["sleep", "3600"]);
    await runContainer(TICKER, [
      "sh",
      "-c",
      "i=0; while true; do echo tick $i; echo oops $i >&2; i=$((i+1)); sleep 0.1; done",
    ]);
    await runContainer(TTY_BOX, ["sh"], true);
    // Each answers one line of stdin on stdout and on stderr, then exits (which ends an attach).
    for (const name of [ECHO_ALL, ECHO_CUT])
      await runContainer(name, ["sh", "-c", 'read l; echo "$l"; echo "$l-err" >&2']);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
  });
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    await Promise.all([EXEC_BOX, TICKER, TTY_BOX, ECHO_ALL, ECHO_CUT].map(removeContainer));
  });

  /** Reads from `offset` until `want` shows up in the accumulated text (or time runs out). */
  async function readUntil(
    sessionId: string,
    offset: number,
    want: RegExp,
    ms = 15_000,
  ): Promise<{ text: string; next: number; last: Read }> {
    let text = "";
    let next = offset;
    let last: Read | undefined;
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const r = await mcp.call("session-read", { sessionId, offset: next, waitMs: 500 });
      last = sessionReadOf(r) as Read;
      expect(last.offset).toBe(next);
      text += last.text;
      next = last.nextOffset;
      if (want.test(text)) break;
      if (last.state === "exited" && last.text === "") break;
    }
    return { text, next, last: last as Read };
  }

  it("exec session: write twice, read by offset, resize through REST, exit code, close", async () => {
    // A read/eval loop on a TTY: busybox's line editor would ask the terminal for the cursor
    // position (ESC[6n) and swallow input until a terminal answers, which an agent does not.
    const opened = await mcp.call("execute-websocket", {
      endpointId: 1,
      containerId: EXEC_BOX,
      command: ["sh", "-c", 'while read -r l; do eval "$l"; done'],
      tty: true,
      session: true,
    });
    expect(opened.isError).toBeFalsy();
    const { sessionId, execId } = opened.structuredContent as { sessionId: string; execId: string };

    await mcp.call("session-write", { sessionId, data: "echo first-$((40+2))\n" });
    const a = await readUntil(sessionId, 0, /first-42/);
    expect(a.text).toContain("first-42");

    await mcp.call("session-write", { sessionId, data: "echo second-$((50+5))\n" });
    const b = await readUntil(sessionId, a.next, /second-55/);
    expect(b.text).toContain("second-55");
    expect(b.text).not.toContain("first-42"); // read from the offset, not from 0

    const resized = await mcp.call("session-resize", { sessionId, cols: 101, rows: 33 });
    expect(resized.isError).toBeFalsy();
    const resizeCall = front.requests.filter((q) => q.path.endsWith(`/exec/${execId}/resize`)).at(-1);
    expect(resizeCall?.query).toEqual({ h: "33", w: "101" });
    await mcp.call("session-write", { sessionId, data: "stty size\n" });
    const c = await readUntil(sessionId, b.next, /33 101/);
    expect(c.text).toContain("33 101");

    // the whole transcript is still there from offset 0
    const all = sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 0 })) as Read;
    expect(all.text).toContain("first-42");
    expect(all.text).toContain("second-55");

    // the process exits: output stays readable and the exit code comes from exec inspect
    await mcp.call("session-write", { sessionId, data: "echo bye; exit 5\n" });
    const d = await readUntil(sessionId, c.next, /\nbye/);
    let state = d.last;
    for (let i = 0; i < 20 && state.state !== "exited"; i++) {
      state = sessionReadOf(await mcp.call("session-read", { sessionId, offset: d.next, waitMs: 500 })) as Read;
    }
    expect(state.state).toBe("exited");
    expect(state.exitCode).toBe(5);
    const after = sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 0 })) as Read;
    expect(after.text).toContain("bye");
    const w = await mcp.call("session-write", { sessionId, data: "x" });
    expect(w.isError).toBe(true);
    expect(textOf(w)).toContain("has exited");

    const closed = await mcp.call("session-close", { sessionId });
    expect(closed.isError).toBeFalsy();
    const gone = await mcp.call("session-read", { sessionId });
    expect(textOf(gone)).toContain("closed or expired");
  });

  it("eof is refused with a clear message (Portainer has no end-of-file)", async () => {
    const opened = await mcp.call("execute-websocket", {
      endpointId: 1,
      containerId: EXEC_BOX,
      command: ["cat"],
      session: true,
    });
    const { sessionId } = opened.structuredContent as { sessionId: string };
    await mcp.call("session-write", { sessionId, data: "abc\n" });
    expect((await readUntil(sessionId, 0, /abc/)).text).toBe("abc\n");
    const eof = await mcp.call("session-write", { sessionId, data: "", eof: true });
    expect(eof.isError).toBe(true);
    expect(textOf(eof)).toContain("cannot close stdin");
    await mcp.call("session-close", { sessionId });
  });

  it("attach sees a running (non-TTY) container's output, Docker's stream headers stripped", async () => {
    const r = await mcp.call("attach-websocket", { endpointId: 1, id: TICKER, listenMs: 1_200 });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as { output: string; tty: boolean };
    expect(s.tty).toBe(false);
    const lines = s.output.split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^(tick|oops) \d+$/);
    const ws = front.requests.filter((q) => q.path === "/api/websocket/attach").at(-1);
    expect(ws?.query.id).toMatch(/^[0-9a-f]{64}$/); // the name was resolved to the hex id Portainer requires
  });

  it("one-shot attach counts payload bytes only: Docker's 8-byte stream headers are not output", async () => {
    type Out = { output: string; outputBytes: number; keptBytes: number; truncated: boolean; endReason: string };
    // "hello\n" and "hello-err\n": 16 bytes of output, in two frames at least (16 bytes of headers).
    const all = await mcp.call("attach-websocket", {
      endpointId: 1,
      id: ECHO_ALL,
      stdin: "hello\n",
      listenMs: 60_000,
      maxOutputBytes: 16,
    });
    const a = all.structuredContent as Out;
    expect(a.endReason).toBe("closed");
    expect(a.output.split("\n").sort()).toEqual(["", "hello", "hello-err"]);
    expect([a.outputBytes, a.keptBytes, a.truncated]).toEqual([16, 16, false]);
    expect(textOf(all)).toMatch(/ · 16 bytes\n/);
    // A cap below the output keeps its first bytes of payload (both lines start "hello").
    const cut = await mcp.call("attach-websocket", {
      endpointId: 1,
      id: ECHO_CUT,
      stdin: "hello\n",
      listenMs: 60_000,
      maxOutputBytes: 5,
    });
    const c = cut.structuredContent as Out;
    expect(c.endReason).toBe("closed");
    expect([c.output, c.outputBytes, c.keptBytes, c.truncated]).toEqual(["hello", 16, 5, true]);
  });

  it("attach session on a TTY container: stdin in, output out, container resize via REST", async () => {
    const opened = await mcp.call("attach-websocket", { endpointId: 1, id: TTY_BOX, session: true });
    const { sessionId, containerId } = opened.structuredContent as { sessionId: string; containerId: string };
    await mcp.call("session-write", { sessionId, data: "echo attached-$((6*7))\n" });
    const a = await readUntil(sessionId, 0, /attached-42/);
    expect(a.text).toContain("attached-42");
    expect((await mcp.call("session-resize", { sessionId, cols: 90, rows: 20 })).isError).toBeFalsy();
    expect(front.requests.filter((q) => q.path.endsWith(`/containers/${containerId}/resize`)).at(-1)?.query).toEqual({
      h: "20",
      w: "90",
    });
    await mcp.call("session-close", { sessionId });
  });

  it("attach to a missing container → clear 404", async () => {
    const r = await mcp.call("attach-websocket", { endpointId: 1, id: "no-such-box" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/HTTP 404.*No such container: no-such-box/);
  });
});
