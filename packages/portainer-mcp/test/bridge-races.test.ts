import { type ConnectedClient, connectInMemory } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

// Portainer 2.23 closes the exec websocket while the last read may be unsent (seen on a real one:
// `echo hi` empty 9 times in 25). The front's closeRace makes that worst case happen every time.
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

  it("the default wrapper pauses before exiting, so the output wins the race", async () => {
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
      mergeStderr: false,
    });
    const s = r.structuredContent as { output: string; exitCode: number };
    expect(s.output).toBe("");
    expect(s.exitCode).toBe(0);
  });
});
