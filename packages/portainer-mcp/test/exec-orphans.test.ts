import { type ConnectedClient, connectInMemory, sessionReadOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, docker, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

// Portainer never closes its Docker connection when the client leaves, and Docker does not end an
// exec whose client left: session-close and a timed-out one-shot must kill the process themselves.
// The front keeps the Docker connection open as Portainer does, so a process that survives shows.
const BOX = `pmcp-orphan-${uniq}`;

/** The container's processes (`docker top`: ps on the host, so the command lines are full). */
async function processes(): Promise<string[]> {
  const top = await docker<{ Processes: string[][]; Titles: string[] }>("GET", `/containers/${BOX}/top?ps_args=-eo%20pid,args`);
  expect(top.status).toBe(200);
  return top.data.Processes.map((p) => p.join(" "));
}

/** Polls the process list until no line matches `token` (true) or the deadline passes (false). */
async function goneWithin(token: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!(await processes()).some((p) => p.includes(token))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls until a line matches `token` (the exec is really running) or fails at the deadline. */
async function seen(token: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await processes()).some((p) => p.includes(token))) {
    if (Date.now() >= deadline) throw new Error(`${token} never showed in the process list`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(gate.skip)("execs end when their session closes or their one-shot times out", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;
  beforeAll(async () => {
    await runContainer(BOX, ["sleep", "3600"]);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
  });
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    await removeContainer(BOX);
  });

  const kinds: { kind: string; tty: boolean; command: (token: string) => string[] }[] = [
        // A child shell with the token too: the whole process group must go, not just the wrapper.
    { kind: "quiet", tty: false, command: (t) => ["sh", "-c", `sh -c 'sleep 600; : ${t}-child'; : ${t}`] },
    { kind: "chatty", tty: false, command: (t) => ["sh", "-c", `while :; do echo ${t}; done`] },
    { kind: "TTY", tty: true, command: (t) => ["sh", "-c", `while read -r l; do echo "$l"; done; : ${t}`] },
    { kind: "stdin reader", tty: false, command: (t) => ["sh", "-c", `cat >/dev/null; : ${t}`] },
  ];

  for (const { kind, tty, command } of kinds) {
    it(`session-close ends a ${kind} exec (and what it started)`, async () => {
      const token = `orphan-${kind.replace(/\W/g, "")}-${uniq}`;
      const opened = await mcp.call("execute-websocket", {
        endpointId: 1,
        containerId: BOX,
        command: command(token),
        tty,
        session: true,
      });
      const { sessionId } = opened.structuredContent as { sessionId: string };
      await seen(token);
      if (kind === "chatty") {
        const r = sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 2_000 }));
        expect(r.text).toContain(token);
      }
      await mcp.call("session-close", { sessionId });
      expect(await goneWithin(token, 5_000)).toBe(true);
    });
  }

  it("a one-shot that times out is killed, and says so", async () => {
    const token = `orphan-oneshot-${uniq}`;
    const r = await mcp.call("execute-websocket", {
      endpointId: 1,
      containerId: BOX,
      command: ["sh", "-c", `echo started; sleep 600; : ${token}`],
      timeoutMs: 1_500,
    });
    const s = r.structuredContent as { output: string; running: boolean; killed?: boolean; exitCode: number };
    expect(s.output).toBe("started\n");
    expect(s.killed).toBe(true);
    expect(s.running).toBe(false);
    expect(s.exitCode).toBe(137);
    expect(await goneWithin(token, 5_000)).toBe(true);
  });
});
