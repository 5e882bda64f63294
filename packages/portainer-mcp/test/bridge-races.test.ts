import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { type ConnectedClient, connectInMemory } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

// Portainer 2.23 drops what comes with Docker's 101 and closes the exec websocket while the last
// read may be unsent (seen on a real one: `echo hi` empty 9 times in 25). The front's closeRace makes
// both worst cases happen every time; the wrapper's handshake must lose nothing, whatever the load.
const NAME = `pmcp-race-${uniq}`;

describe.skipIf(gate.skip)("short execs through Portainer's racy close", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;
  beforeAll(async () => {
    await runContainer(NAME, ["sleep", "3600"]);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT, closeRace: true });
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
  });
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    await removeContainer(NAME);
  });

  it("the default wrapper's handshake keeps output, stderr, exit code and stdin", async () => {
    for (const command of [
      ["echo", "hi"],
      ["sh", "-c", "echo out; echo err >&2; exit 4"],
    ]) {
      const r = await mcp.call("execute-websocket", { endpointId: 1, containerId: NAME, command });
      const s = r.structuredContent as { output: string; exitCode: number };
      expect(s.output).toBe(command[0] === "echo" ? "hi\n" : "out\nerr\n");
      expect(s.exitCode).toBe(command[0] === "echo" ? 0 : 4);
    }
    const withStdin = await mcp.call("execute-websocket", {
      endpointId: 1,
      containerId: NAME,
      command: ["cat"],
      stdin: "piped\n",
    });
    expect((withStdin.structuredContent as { output: string }).output).toBe("piped\n");
  });

  it("without the wrapper the last output is lost, as on the real Portainer", async () => {
    const r = await mcp.call("execute-websocket", {
      endpointId: 1,
      containerId: NAME,
      command: ["echo", "hi"],
      closeStdin: false,
      mergeStderr: false,
    });
    const s = r.structuredContent as { output: string; exitCode: number };
    expect(s.output).toBe("");
    expect(s.exitCode).toBe(0);
  });

  it("loses no output in 200 short execs while other processes burn every CPU", async () => {
    // Busy loops in child processes, one per CPU: the scheduler delays the wrapper, the front and
    // this client at random, which is what made the old fixed pauses lose output.
    const burners: ChildProcess[] = [];
    for (let i = 0; i < availableParallelism(); i++) {
      burners.push(spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }));
    }
    try {
      const dropped = front.stats.droppedHeadBytes;
      const lost: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < 200) {
          const i = next++;
          const want = i % 2 ? `short ${i}\n` : `short ${i}\nerr ${i}\n`;
          const command =
            i % 2 ? ["echo", "short", String(i)] : ["sh", "-c", `echo short ${i}; echo err ${i} >&2; exit 3`];
          const r = await mcp.call("execute-websocket", { endpointId: 1, containerId: NAME, command });
          const s = r.structuredContent as { output: string; exitCode: number };
          if (s.output !== want || s.exitCode !== (i % 2 ? 0 : 3))
            lost.push(`${i}: ${JSON.stringify(s.output)} exit ${s.exitCode}`);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      expect(lost).toEqual([]);
      // The wrapper prints nothing before GO, so nothing was in the dropped 101 buffer.
      expect(front.stats.droppedHeadBytes - dropped).toBe(0);
    } finally {
      for (const b of burners) b.kill("SIGKILL");
    }
  }, 300_000);
});
