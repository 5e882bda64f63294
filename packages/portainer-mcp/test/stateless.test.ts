import { type ConnectedClient, connectInMemory, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

/**
 * --stateless: nothing outlives a request, so the session mode of the streaming tools goes away,
 * but their one-shot mode needs no session and stays (over the front and the real Docker engine).
 */
const BOX = `pmcp-stateless-${uniq}`;

describe.skipIf(gate.skip)("stateless mode keeps the one-shot streaming tools", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;

  beforeAll(async () => {
    await runContainer(BOX, ["sleep", "3600"]);
    front = await startPortainerFront({
      dockerSocket: DOCKER_SOCKET,
      apiKey: API_KEY,
      jwt: JWT,
    });
    mcp = await connectInMemory(portainerVendor, {
      stateless: true,
      env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY },
    });
  });
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    await removeContainer(BOX);
  });

  it("lists execute-websocket, attach-websocket and execute-websocket-pod, not the always-session tools", async () => {
    const names = (await mcp.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["execute-websocket", "attach-websocket", "execute-websocket-pod"]));
    expect(names).not.toContain("execute-websocket-kubectl-shell-pod");
    expect(names.filter((n) => n.startsWith("session-"))).toEqual([]);
    expect(mcp.client.getInstructions()).toMatch(/execute-websocket.*one-shot/);
  });

  it("runs a one-shot exec", async () => {
    const r = await mcp.call("execute-websocket", {
      endpointId: 1,
      containerId: BOX,
      command: ["echo", "stateless one-shot"],
    });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ output: "stateless one-shot\n", exitCode: 0 });
  });

  it("refuses session:true with a clear error, before anything is created upstream", async () => {
    const before = front.requests.length;
    for (const [tool, args] of [
      ["execute-websocket", { endpointId: 1, containerId: BOX, command: ["sh"], session: true }],
      [
        "execute-websocket-pod",
        { endpointId: 2, namespace: "default", podName: BOX, containerName: "main", command: "sh", session: true },
      ],
    ] as const) {
      const r = await mcp.call(tool, args);
      expect(r.isError, tool).toBe(true);
      expect(textOf(r)).toMatch(/"session".*stateless/);
    }
    expect(front.requests.slice(before).filter((q) => q.path.includes("/exec") || q.websocket)).toEqual([]);
    // attach-websocket inspects the container first (a read), then refuses before attaching.
    const attach = await mcp.call("attach-websocket", { endpointId: 1, id: BOX, session: true });
    expect(attach.isError).toBe(true);
    expect(textOf(attach)).toMatch(/"session".*stateless/);
    expect(front.requests.slice(before).filter((q) => q.websocket)).toEqual([]);
  });

  it("keeps get-container-logs one-shot; follow:true is refused naming follow, before any request", async () => {
    const names = (await mcp.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("get-container-logs");
    const once = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOX });
    expect(once.isError).toBeFalsy();
    const before = front.requests.length;
    const follow = await mcp.call("get-container-logs", { endpointId: 1, containerId: BOX, follow: true });
    expect(follow.isError).toBe(true);
    expect(textOf(follow)).toMatch(/"follow".*stateless/);
    expect(front.requests.slice(before)).toEqual([]);
  });
});
