import { SessionRegistry } from "@infra-mcp/core";
import { type ConnectedClient, connectInMemory, sessionReadOf, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPortainerClient } from "../src/config.js";
import { portainerVendor } from "../src/index.js";
import { followLogs } from "../src/log-follow.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, docker, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

// Logs, inspect, stats and lifecycle through the Portainer front's Docker proxy on the real engine.
const BOTH = `pmcp-logs-${uniq}`;
const TTY = `pmcp-tty-${uniq}`;
const TICK = `pmcp-tick-${uniq}`;
const LIFE = `pmcp-life-${uniq}`;
const BACKLOG = `pmcp-backlog-${uniq}`;
const SEAM = `pmcp-seam-${uniq}`;
const BULK = `pmcp-bulk-${uniq}`;
const FRESH = `pmcp-fresh-${uniq}`;

type Structured = Record<string, unknown>;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(gate.skip)("container logs, inspect, stats and lifecycle through the front", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;
  let bothId: string;

  beforeAll(async () => {
    bothId = await runContainer(BOTH, [
      "sh",
      "-c",
      // Separate writes a moment apart, so the engine records them in this order.
      "for i in 1 2 3; do echo out-$i; sleep 0.05; echo err-$i >&2; sleep 0.05; done; sleep 3600",
    ]);
    await runContainer(TTY, ["sh", "-c", "echo tty-line; sleep 3600"], true);
    await runContainer(LIFE, ["sleep", "3600"]);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
    await until("the log lines", async () => {
      const r = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH });
      return ((r.structuredContent as Structured).lines as number) >= 6 ? true : undefined;
    });
  });
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    await Promise.all([BOTH, TTY, TICK, LIFE, BACKLOG, SEAM, BULK, FRESH].map(removeContainer));
  });

  it("keeps stdout and stderr apart and in order, marking stderr lines", async () => {
    const r = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as Structured;
    expect(s.entries).toEqual([
      { stream: "stdout", text: "out-1\n" },
      { stream: "stderr", text: "err-1\n" },
      { stream: "stdout", text: "out-2\n" },
      { stream: "stderr", text: "err-2\n" },
      { stream: "stdout", text: "out-3\n" },
      { stream: "stderr", text: "err-3\n" },
    ]);
    expect(s).toMatchObject({ tty: false, lines: 6, stdoutBytes: 18, stderrBytes: 18, truncated: false });
    expect(textOf(r).split("\n").slice(1).join("\n")).toBe(
      "out-1\n[stderr] err-1\nout-2\n[stderr] err-2\nout-3\n[stderr] err-3\n",
    );
    // through Portainer's Docker proxy, with the API key in front
    const call = front.requests.filter((q) => q.path.endsWith("/logs")).at(-1);
    expect(call).toMatchObject({ path: `/api/endpoints/1/docker/containers/${bothId}/logs`, auth: "api-key-header" });
    expect(call?.query).toMatchObject({ stdout: "1", stderr: "1", tail: "100" });
  });

  it("honours stdout/stderr selection and tail, and says when tail may hide lines", async () => {
    const errOnly = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, stdout: false });
    expect((errOnly.structuredContent as Structured).entries).toEqual([
      { stream: "stderr", text: "err-1\nerr-2\nerr-3\n" },
    ]);
    const last2 = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, tail: 2 });
    expect((last2.structuredContent as Structured).entries).toEqual([
      { stream: "stdout", text: "out-3\n" },
      { stream: "stderr", text: "err-3\n" },
    ]);
    expect(textOf(last2)).toMatch(/\[last 2 lines \(tail\); earlier lines may exist: raise tail/);
  });

  it("honours since and until (timestamps from the engine)", async () => {
    const all = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, timestamps: true });
    const lines = textOf(all).split("\n").slice(1, -1);
    expect(lines).toHaveLength(6);
    const times = lines.map((l) => l.replace(/^\[stderr\] /, "").split(" ")[0] as string);
    expect(times.every((t) => /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(t))).toBe(true);
    // since the 4th line's time: lines 4..6; until the 2nd line's time: lines 1..2
    const since = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, since: times[3] });
    expect((since.structuredContent as Structured).entries).toEqual([
      { stream: "stderr", text: "err-2\n" },
      { stream: "stdout", text: "out-3\n" },
      { stream: "stderr", text: "err-3\n" },
    ]);
    const untilSecond = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, until: times[1] });
    expect((untilSecond.structuredContent as Structured).entries).toEqual([
      { stream: "stdout", text: "out-1\n" },
      { stream: "stderr", text: "err-1\n" },
    ]);
    // Unix seconds work too: nothing was logged in 2096
    const future = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, since: "4000000000" });
    expect((future.structuredContent as Structured).lines).toBe(0);
    const recent = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, since: "1h" });
    expect((recent.structuredContent as Structured).lines).toBe(6);
    const bad = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, since: "yesterday" });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/Invalid argument "since".*RFC 3339/);
  });

  it("keeps the newest maxBytes and says how to get the older part", async () => {
    const r = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOTH, maxBytes: 8 });
    const s = r.structuredContent as Structured;
    expect(s.truncated).toBe(true);
    // the 8 newest bytes are "3\n" + "err-3\n": the cut line is dropped
    expect(s.entries).toEqual([{ stream: "stderr", text: "err-3\n" }]);
    expect(textOf(r)).toMatch(/\[older output cut: kept the newest 6 of 36 bytes; .*until=/);
  });

  it("passes a TTY container's raw stream as is", async () => {
    const r = await until("tty output", async () => {
      const x = await mcp.call("get-container-logs", { endpointId: 1, containerId: TTY });
      return ((x.structuredContent as Structured).lines as number) > 0 ? x : undefined;
    });
    const s = r.structuredContent as Structured;
    expect(s.tty).toBe(true);
    expect(s.entries).toEqual([{ stream: "tty", text: "tty-line\r\n" }]);
    expect(textOf(r)).toMatch(/ · tty · 1 line, 10 bytes\ntty-line\r\n$/);
  });

  it("follow:true opens a session that reads new lines, ending when the container stops", async () => {
    await runContainer(TICK, ["sh", "-c", "echo first; sleep 1; echo second >&2; sleep 1; echo third; sleep 3600"]);
    const r = await mcp.call("get-container-logs", { endpointId: 1, containerId: TICK, follow: true });
    expect(r.isError).toBeFalsy();
    const sessionId = (r.structuredContent as Structured).sessionId as string;
    const read = async () =>
      sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 500 })) as Structured;
    const out = await until("three followed lines", async () => {
      const x = await read();
      return (x.text as string).includes("third") ? x : undefined;
    });
    expect(out.text).toBe("first\n[stderr] second\nthird\n");
    expect(out.state).toBe("open");
    await docker("POST", `/containers/${TICK}/stop?t=0`);
    const ended = await until("the session to end", async () => {
      const x = await read();
      return x.state === "exited" ? x : undefined;
    });
    expect(ended.exitCode).toBe(137);
    expect(ended.text).toBe("first\n[stderr] second\nthird\n");
    await mcp.call("session-close", { sessionId });
  });

  it("follow with tail 0 shows exactly the lines written after the call: none older, none lost at the seam", async () => {
    // The container logs what is written into its fifo, so the test decides when each line is logged.
    await runContainer(FRESH, ["sh", "-c", "mkfifo /tmp/in; while :; do cat /tmp/in; done"]);
    const write = async (lines: string[]) => {
      const cmd = `while [ ! -p /tmp/in ]; do sleep 0.05; done; printf '${lines.join("\\n")}\\n' > /tmp/in`;
      const exec = await docker<{ Id: string }>("POST", `/containers/${FRESH}/exec`, { Cmd: ["sh", "-c", cmd] });
      expect((await docker("POST", `/exec/${exec.data.Id}/start`, { Detach: true })).status).toBe(200);
    };
    await write(["old-1", "old-2", "old-3"]);
    // Straight from the engine, polled closely: the call comes well within the Date header's two seconds.
    const deadline = Date.now() + 15_000;
    while (!String((await docker("GET", `/containers/${FRESH}/logs?stdout=1&stderr=1`)).data).includes("old-3")) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the old lines in the engine's log");
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await mcp.call("get-container-logs", { endpointId: 1, containerId: FRESH, follow: true, tail: 0 });
    expect(r.isError).toBeFalsy();
    await write(["new-1", "new-2", "new-3"]);
    const sessionId = (r.structuredContent as Structured).sessionId as string;
    let text = "";
    let offset = 0;
    const readUntil = Date.now() + 15_000;
    while (!text.includes("new-3\n")) {
      if (Date.now() > readUntil) throw new Error(`timed out with ${JSON.stringify(text)} read`);
      const x = sessionReadOf(await mcp.call("session-read", { sessionId, offset, waitMs: 1000 }));
      text += x.text;
      offset = x.nextOffset;
    }
    expect(text).toBe("new-1\nnew-2\nnew-3\n");
    await mcp.call("session-close", { sessionId });
  });

  /** Runs a container that logs `line-<n> <text>` for n = 1..lines, and waits until all of it is in its log. */
  async function writeLog(name: string, lines: number, text: string): Promise<void> {
    await runContainer(name, ["sh", "-c", `seq ${lines} | sed 's/.*/line-& ${text}/'; echo written >&2; sleep 3600`]);
    await until(
      `the log of ${name} written`,
      async () => {
        // tail:"all": the engine's stderr copier can log "written" before the stdout copier is done.
        const r = await mcp.call("get-container-logs", {
          endpointId: 1,
          containerId: name,
          stdout: false,
          tail: "all",
        });
        return textOf(r).includes("[stderr] written") ? true : undefined;
      },
      60_000,
    );
  }

  it("follow waits for its reader: a backlog 20× the session buffer arrives whole, in order, nothing dropped", async () => {
    const lines = 4000;
    await writeLog(BACKLOG, lines, "of a backlog that outgrows the session buffer");
    // A server with an 8 KiB session buffer; the log is ~220 KiB.
    const small = await connectInMemory(portainerVendor, {
      env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY },
      sessionLimits: { bufferBytes: 8192 },
    });
    try {
      const r = await small.call("get-container-logs", {
        endpointId: 1,
        containerId: BACKLOG,
        follow: true,
        tail: "all",
        stderr: false,
      });
      const sessionId = (r.structuredContent as Structured).sessionId as string;
      let text = "";
      let offset = 0;
      let missed = 0;
      const deadline = Date.now() + 60_000;
      while (text.split("\n").length <= lines) {
        if (Date.now() > deadline) throw new Error(`timed out with ${text.split("\n").length - 1} lines read`);
        const x = sessionReadOf(
          await small.call("session-read", { sessionId, offset, maxBytes: 3000, waitMs: 1000 }),
        ) as Structured;
        expect(x.state).toBe("open");
        text += x.text as string;
        missed += x.missedBytes as number;
        offset = x.nextOffset as number;
      }
      expect(missed).toBe(0);
      const got = text.split("\n").slice(0, lines);
      expect(got).toEqual(
        Array.from({ length: lines }, (_, i) => `line-${i + 1} of a backlog that outgrows the session buffer`),
      );
      expect(text.endsWith("\n")).toBe(true);
      expect(text.split("\n")).toHaveLength(lines + 1);
    } finally {
      await small.close();
    }
  });

  it("follow of a whole log still being written: the backlog read without timestamps, then the polls, each line once", async () => {
    const lines = 1030;
    // 1000 lines at once, then 30 more over three seconds: the bulk read ends a second or two
    // before the engine's clock, somewhere in the trickle, and the timestamped polls go on from there.
    await runContainer(SEAM, [
      "sh",
      "-c",
      "seq 1000 | sed 's/^/seam-/'; i=1001; while [ $i -le 1030 ]; do echo seam-$i; i=$((i+1)); sleep 0.1; done; sleep 3600",
    ]);
    await until(
      "the first lines logged",
      async () =>
        textOf(await mcp.call("get-container-logs", { endpointId: 1, containerId: SEAM, tail: 1 })).includes("seam-")
          ? true
          : undefined,
      30_000,
    );
    const r = await mcp.call("get-container-logs", { endpointId: 1, containerId: SEAM, follow: true, tail: "all" });
    const sessionId = (r.structuredContent as Structured).sessionId as string;
    let text = "";
    let offset = 0;
    const deadline = Date.now() + 30_000;
    while (text.split("\n").length <= lines) {
      if (Date.now() > deadline) throw new Error(`timed out with ${text.split("\n").length - 1} lines read`);
      const x = sessionReadOf(await mcp.call("session-read", { sessionId, offset, waitMs: 1000 }));
      expect(x.missedBytes).toBe(0);
      text += x.text;
      offset = x.nextOffset;
    }
    expect(text.split("\n").slice(0, lines)).toEqual(Array.from({ length: lines }, (_, i) => `seam-${i + 1}`));
    // Nothing after the last line (no line shown twice at the seam).
    const more = sessionReadOf(await mcp.call("session-read", { sessionId, offset, waitMs: 1500 }));
    expect(text.slice(text.lastIndexOf("seam-1030")) + more.text).toBe("seam-1030\n");
    await mcp.call("session-close", { sessionId });
  });

  it("an answer let go while its reader was away goes on after what it showed (bulk read and timestamped poll)", async () => {
    const lines = 4000;
    await writeLog(BULK, lines, "of a log read in bulk");
    // A bulk read ends a second or two before the engine's clock: let the log get older than that.
    await new Promise((r) => setTimeout(r, 2_500));
    const client = createPortainerClient({ PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY });
    // timestamps:false reads the log in bulk, timestamps:true in a timestamped poll.
    for (const timestamps of [false, true]) {
      // Larger than a chunk of the answer (so a let-go answer drops nothing), smaller than the log.
      const sessions = new SessionRegistry({ bufferBytes: 96 * 1024 });
      const session = sessions.add("logs", "let go", { write: async () => {}, close: async () => {} });
      const controller = new AbortController();
      followLogs(
        session,
        {
          client,
          endpointId: 1,
          containerId: BULK,
          tty: false,
          stdout: true,
          stderr: false,
          timestamps,
          tail: "all",
          pollMs: 200,
          readerPauseMs: 100,
        },
        controller.signal,
      );
      try {
        let text = "";
        let offset = 0;
        let reads = 0;
        const deadline = Date.now() + 30_000;
        while (text.split("\n").length <= lines) {
          if (Date.now() > deadline) throw new Error(`timed out with ${text.split("\n").length - 1} lines read`);
          await session.waitForOutput(offset, 1000);
          const x = session.read(offset, 3000);
          expect(x.missedBytes).toBe(0);
          text += x.text;
          offset = x.nextOffset;
          // Stay away longer than the answer waits, twice: it is let go and asked for again.
          if (++reads === 2 || reads === 20) await new Promise((r) => setTimeout(r, 400));
        }
        const got = text.split("\n").slice(0, lines);
        expect(timestamps ? got.map((l) => l.slice(l.indexOf(" ") + 1)) : got).toEqual(
          Array.from({ length: lines }, (_, i) => `line-${i + 1} of a log read in bulk`),
        );
      } finally {
        controller.abort();
        await sessions.closeAll();
      }
    }
  });

  it("inspect-container: the operator's facts as text, the whole document as structuredContent", async () => {
    const r = await mcp.call("inspect-container", { endpointId: 1, containerId: BOTH });
    const text = textOf(r);
    expect(text).toMatch(new RegExp(`^${BOTH} \\(${bothId.slice(0, 12)}\\) running since `));
    expect(text).toMatch(/\nimage: busybox:local/);
    expect(text).toMatch(/\ncommand: \["sh","-c","for i in 1 2 3/);
    expect(text).toMatch(/\nnetworks: none\n/);
    expect(text).toMatch(/\ntty: false$/);
    const s = r.structuredContent as { Id: string; State: { Running: boolean }; Config: { Cmd: string[] } };
    expect(s.Id).toBe(bothId);
    expect(s.State.Running).toBe(true);
    expect(s.Config.Cmd[0]).toBe("sh");
  });

  it("get-container-stats: one sample computed like docker stats", async () => {
    const r = await mcp.call("get-container-stats", { endpointId: 1, containerId: LIFE });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as Structured;
    expect(s.running).toBe(true);
    expect(s.memoryUsedBytes as number).toBeGreaterThan(0);
    expect(s.memoryLimitBytes as number).toBeGreaterThanOrEqual(s.memoryUsedBytes as number);
    expect(s.pids).toBe(1);
    expect(s.cpuPercent as number).toBeGreaterThanOrEqual(0);
    expect(s.onlineCpus as number).toBeGreaterThan(0);
    expect(textOf(r)).toMatch(
      /CPU [\d.]+% .* MEM [\d.]+(B|KiB|MiB) \/ [\d.]+(MiB|GiB|TiB) \([\d.]+%\) · NET I\/O .* PIDS 1/,
    );
  });

  it("stop then start changes the state the engine reports; repeats change nothing", async () => {
    const stop = await mcp.call("stop-container", { endpointId: 1, containerId: LIFE, timeout: 0 });
    expect(stop.isError).toBeFalsy();
    expect(stop.structuredContent).toMatchObject({ changed: true, state: { status: "exited", running: false } });
    expect(textOf(stop)).toMatch(/^stopped; now: .* exited with code 137/);
    const engine = await docker<{ State: { Status: string } }>("GET", `/containers/${LIFE}/json`);
    expect(engine.data.State.Status).toBe("exited");
    const again = await mcp.call("stop-container", { endpointId: 1, containerId: LIFE });
    expect(again.structuredContent).toMatchObject({ changed: false });
    expect(textOf(again)).toMatch(/^already stopped, nothing done/);
    const stats = await mcp.call("get-container-stats", { endpointId: 1, containerId: LIFE });
    expect(textOf(stats)).toMatch(/not running/);

    const start = await mcp.call("start-container", { endpointId: 1, containerId: LIFE });
    expect(start.structuredContent).toMatchObject({ changed: true, state: { status: "running", running: true } });
    expect((await docker<{ State: { Status: string } }>("GET", `/containers/${LIFE}/json`)).data.State.Status).toBe(
      "running",
    );
    const startAgain = await mcp.call("start-container", { endpointId: 1, containerId: LIFE });
    expect(textOf(startAgain)).toMatch(/^already running, nothing done/);
  });

  it("restart and kill report the state after the call", async () => {
    const before = (await docker<{ State: { StartedAt: string } }>("GET", `/containers/${LIFE}/json`)).data.State;
    const restart = await mcp.call("restart-container", { endpointId: 1, containerId: LIFE, timeout: 0 });
    const after = (restart.structuredContent as { state: { running: boolean; startedAt: string } }).state;
    expect(after.running).toBe(true);
    expect(after.startedAt).not.toBe(before.StartedAt);
    // sleep ignores SIGWINCH: the container keeps running, and the answer says so
    const winch = await mcp.call("kill-container", { endpointId: 1, containerId: LIFE, signal: "SIGWINCH" });
    expect(winch.structuredContent).toMatchObject({ signal: "SIGWINCH", state: { running: true } });
    const kill = await mcp.call("kill-container", { endpointId: 1, containerId: LIFE });
    expect(kill.structuredContent).toMatchObject({ signal: "SIGKILL", state: { running: false, exitCode: 137 } });
    const dead = await mcp.call("kill-container", { endpointId: 1, containerId: LIFE });
    expect(dead.isError).toBe(true);
    expect(textOf(dead)).toMatch(/HTTP 409 Conflict — Cannot kill container: .* is not running/);
  });

  it("a missing container is a clear 404 naming it, from every tool", async () => {
    for (const tool of [
      "get-container-logs",
      "inspect-container",
      "get-container-stats",
      "start-container",
      "stop-container",
      "restart-container",
      "kill-container",
    ]) {
      const r = await mcp.call(tool, { endpointId: 1, containerId: "no-such-container" });
      expect(r.isError, tool).toBe(true);
      expect(textOf(r), tool).toMatch(
        /HTTP 404 Not Found — (Cannot kill container: no-such-container: )?No such container: no-such-container\. Check the container id or name \(list-containers\)/,
      );
    }
    const env = await mcp.call("inspect-container", { endpointId: 9, containerId: BOTH });
    expect(textOf(env)).toMatch(/HTTP 404 .*Unable to find an environment .*key=9/);
  });

  it("destructive tools carry truthful hints and a confirmation line", async () => {
    const { tools } = await mcp.client.listTools();
    const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    expect(hints["get-container-logs"]).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(hints["inspect-container"]).toMatchObject({ readOnlyHint: true });
    expect(hints["get-container-stats"]).toMatchObject({ readOnlyHint: true });
    expect(hints["start-container"]).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
    });
    expect(hints["stop-container"]).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(hints["restart-container"]).toMatchObject({ destructiveHint: true, idempotentHint: false });
    expect(hints["kill-container"]).toMatchObject({ destructiveHint: true, idempotentHint: false });
    expect(hints["get-pod-logs"]).toMatchObject({ readOnlyHint: true });
    const table = Object.fromEntries(portainerVendor.tools.map((t) => [t.name, t]));
    expect(table["kill-container"]?.confirm?.({ endpointId: 1, containerId: "web", signal: "SIGTERM" })).toBe(
      "send SIGTERM to container web on environment 1",
    );
    expect(table["stop-container"]?.confirm?.({ endpointId: 1, containerId: "web", timeout: 5 })).toBe(
      "stop container web on environment 1 (kill after 5 s)",
    );
    expect(table["restart-container"]?.confirm).toBeTypeOf("function");
    expect(table["start-container"]?.confirm).toBeUndefined();
  });
});
