import { type ConnectedClient, connectInMemory, sessionReadOf, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { checkPodCommand } from "../src/bridges.js";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

// Real Kubernetes cannot run here: the front bridges /api/websocket/pod and /kubernetes-shell to a
// TTY docker exec in a stand-in container, so these tests check the wire behaviour only.
const POD = `pmcp-pod-${uniq}`;

describe("pod command splitting (Portainer splits on single spaces)", () => {
  it("accepts plain words and refuses what would be mangled", () => {
    expect(checkPodCommand("ls -l /tmp")).toEqual(["ls", "-l", "/tmp"]);
    for (const bad of ['sh -c "echo hi"', "echo 'a b'", "ls  -l", " ls", "ls ", "ls\t-l", "echo a\\ b"]) {
      expect(() => checkPodCommand(bad)).toThrow(/Invalid argument "command"/);
    }
  });
});

describe.skipIf(gate.skip)("pod exec and kubectl shell wire behaviour against the front", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;
  beforeAll(async () => {
    await runContainer(POD, ["sleep", "3600"]);
    front = await startPortainerFront({
      dockerSocket: DOCKER_SOCKET,
      apiKey: API_KEY,
      jwt: JWT,
      kubernetes: { shellContainer: POD },
    });
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_TOKEN: JWT } });
  });
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    await removeContainer(POD);
  });

  it("one-shot pod exec sends every query parameter and reads TTY output", async () => {
    const r = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "echo hello pod",
    });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as { output: string; exitCode: null; argv: string[] };
    expect(s.output).toBe("hello pod\r\n");
    expect(s.exitCode).toBeNull();
    expect(s.argv).toEqual(["echo", "hello", "pod"]);
    const q = front.requests.filter((x) => x.path === "/api/websocket/pod").at(-1);
    expect(q?.auth).toBe("token-query");
    expect(q?.query).toEqual({
      endpointId: "2",
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "echo hello pod",
      token: JWT,
    });
    expect(JSON.stringify(r)).not.toContain(JWT);
  });

  it("refuses a command that Portainer would mangle, before connecting", async () => {
    const before = front.requests.length;
    const r = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: 'sh -c "echo hi"',
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('"command"');
    expect(front.requests.length).toBe(before);
  });

  it("pod exec session: write, read by offset, resize refused clearly, close", async () => {
    const o = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "cat",
      session: true,
    });
    const { sessionId } = o.structuredContent as { sessionId: string };
    await mcp.call("session-write", { sessionId, data: "ping\n" });
    let text = "";
    let next = 0;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline && !/ping\r\nping\r\n/.test(text); ) {
      const r = sessionReadOf(await mcp.call("session-read", { sessionId, offset: next, waitMs: 300 })) as {
        text: string;
        nextOffset: number;
      };
      text += r.text;
      next = r.nextOffset;
    }
    expect(text).toBe("ping\r\nping\r\n"); // TTY echo + cat's copy
    const rs = await mcp.call("session-resize", { sessionId, cols: 80, rows: 24 });
    expect(rs.isError).toBe(true);
    expect(textOf(rs)).toContain("no terminal to resize");
    expect((await mcp.call("session-close", { sessionId })).isError).toBeFalsy();
  });

  it("kubectl shell opens a session with only endpointId", async () => {
    const o = await mcp.call("execute-websocket-kubectl-shell-pod", { endpointId: 2, input: "echo kube-$((1+1))\n" });
    expect(o.isError).toBeFalsy();
    const { sessionId } = o.structuredContent as { sessionId: string };
    // Reading from offset 0 returns at once when any output exists (the TTY echo), so poll with a
    // deadline instead of a count: the shell's answer can take seconds on a loaded machine.
    let text = "";
    const deadline = Date.now() + 15_000;
    while (!text.includes("\nkube-2") && Date.now() < deadline) {
      text = (sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 300 })) as { text: string })
        .text;
      if (!text.includes("\nkube-2")) await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toContain("\nkube-2");
    const q = front.requests.filter((x) => x.path === "/api/websocket/kubernetes-shell").at(-1);
    expect(Object.keys(q?.query ?? {}).sort()).toEqual(["endpointId", "token"]);
    await mcp.call("session-close", { sessionId });
  });

  it("a Docker environment is refused by the pod route (500, as Portainer answers)", async () => {
    const r = await mcp.call("execute-websocket-pod", {
      endpointId: 1,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "true",
    });
    expect(r.isError).toBe(true);
    // Real Portainer 2.23 on a Docker environment: 500 {"message":"Unable to get user service account token","details":"Unsupported environment type"}
    expect(textOf(r)).toMatch(/HTTP 500.*Unable to get user service account token: Unsupported environment type/);
  });

  it("the front checks the pod query parameters like Portainer", async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(
        `${front.url.replace("http", "ws")}/api/websocket/pod?endpointId=2&podName=x&containerName=y&command=ls`,
        {
          headers: { "x-api-key": API_KEY },
        },
      );
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => resolve(101));
      ws.on("error", () => {});
    });
    expect(status).toBe(400);
  });
});
