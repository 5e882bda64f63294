import { type ConnectedClient, connectInMemory, sessionReadOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import {
  API_KEY,
  DOCKER_SOCKET,
  gate,
  JWT,
  ORPHAN_KINDS,
  removeContainer,
  runContainer,
  uniq,
  waitProcess,
} from "./helpers.js";

// Portainer never closes its Docker connection when the client leaves, and Docker does not end an
// exec whose client left: session-close and a timed-out one-shot must kill the process themselves.
// The front keeps the Docker connection open as Portainer does, so a process that survives shows.
const BOX = `pmcp-orphan-${uniq}`;

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

  for (const { kind, tty, command } of ORPHAN_KINDS) {
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
      expect(await waitProcess(BOX, token, true, 15_000)).toBe(true);
      if (kind === "chatty") {
        const r = sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 2_000 }));
        expect(r.text).toContain(token);
      }
      await mcp.call("session-close", { sessionId });
      expect(await waitProcess(BOX, token, false, 5_000)).toBe(true);
    });
  }

  it("session-close after the exec ended kills nothing (its PID may belong to another process by then)", async () => {
    const opened = await mcp.call("execute-websocket", {
      endpointId: 1,
      containerId: BOX,
      command: ["sh", "-c", "exit 4"],
      session: true,
    });
    const { sessionId } = opened.structuredContent as { sessionId: string };
    const deadline = Date.now() + 15_000;
    let state = "open";
    while (state !== "exited" && Date.now() < deadline) {
      state = sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 500 })).state as string;
    }
    expect(state).toBe("exited");
    const creates = () => front.requests.filter((q) => q.method === "POST" && q.path.endsWith("/exec")).length;
    const before = creates();
    await mcp.call("session-close", { sessionId });
    expect(creates()).toBe(before);
  });

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
    expect(await waitProcess(BOX, token, false, 5_000)).toBe(true);
  });
});
