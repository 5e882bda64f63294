/**
 * get-websocket-stream(-2) are read-only, so they may only read output sockets: the control and
 * stdin secrets of an exec are refused (closing them would kill the command or end its input).
 * Proven on the real daemon: a command keeps running, and ends normally, after refused attempts.
 */
import { collectWebSocket, createVendorServer, type WebSocket } from "@infra-mcp/core";
import { connectInMemory, textOf } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIncusClient } from "../src/config.js";
import { createExec, openFd } from "../src/exec.js";
import { incusVendor } from "../src/index.js";
import { waitOperationEnd } from "../src/wait.js";
import {
  api,
  connect,
  createTokenOperation,
  gate,
  INSTANCE,
  incus,
  psMatching,
  SOCKET,
  untilRunning,
} from "./helpers.js";

describe.skipIf(gate.skip)("read-only operation streams against a real Incus daemon", () => {
  let c: Awaited<ReturnType<typeof connect>>;
  const client = createIncusClient({ INCUS_SOCKET: SOCKET });
  beforeAll(async () => {
    c = await connect();
  });
  afterAll(async () => {
    await c.close();
    await client.http.close();
  });

  it("refuses the control and stdin secrets, and the command runs on to a normal end", async () => {
    const marker = `ro-stream-${process.pid}`;
    const go = `/tmp/${marker}.go`;
    // The command runs until the test lets it end (a file appears), so "still running" below is a
    // fact of the test, not of how fast a loaded machine made the refused calls.
    const script = 'echo started; while [ ! -e "/tmp/$0.go" ]; do sleep 0.1; done; echo finished';
    const op = await createExec(client, { instance: INSTANCE, command: ["sh", "-c", script, marker] }, undefined);
    try {
      // The test holds every fd (as a real exec client would); the command starts once all are connected.
      const fds: Record<string, WebSocket> = {};
      for (const fd of ["0", "1", "2", "control"]) fds[fd] = await openFd(client, op.id, op.fds[fd] as string);
      const stdout = collectWebSocket(fds["1"] as WebSocket, {
        maxBytes: 65_536,
        totalTimeoutMs: 60_000,
        endOnEmptyText: true,
      });
      for (const ws of [fds["0"], fds["2"], fds.control] as WebSocket[]) {
        ws.on("error", () => {});
        ws.resume();
      }
      await untilRunning(marker);

      for (const tool of ["get-websocket-stream", "get-websocket-stream-2"]) {
        const control = await c.call(tool, { id: op.id, secret: op.fds.control, timeoutSeconds: 5 });
        expect(control.isError, tool).toBe(true);
        expect(textOf(control)).toMatch(
          /^Invalid argument "secret": refused: that secret is the exec's control socket/,
        );
        expect(textOf(control)).toMatch(/open-exec-session and use session-signal, session-resize or session-close/);
        const stdin = await c.call(tool, { id: op.id, secret: op.fds["0"], timeoutSeconds: 5 });
        expect(stdin.isError, tool).toBe(true);
        expect(textOf(stdin)).toMatch(/refused: that secret is the exec's stdin \(fd "0"/);
        expect(textOf(stdin)).toMatch(/session-write and session-read/);
      }
      // Still running after four refused attempts...
      expect(psMatching(marker).length).toBeGreaterThan(0);
      // ...and it ends on its own once let go: all its output, exit code 0 (a killed command would be 137).
      incus("exec", INSTANCE, "--", "touch", go);
      const out = await stdout;
      expect(out.output.decode().text).toBe("started\nfinished\n");
      const done = await waitOperationEnd(client, op.id, { timeoutSec: 30 });
      expect(done.operation?.metadata?.return).toBe(0);
      for (const ws of Object.values(fds)) ws.terminate();
    } finally {
      incus("exec", INSTANCE, "--", "rm", "-f", go);
    }
  });

  it("a read that stops at maxBytes does not kill the command (no SIGPIPE) and says how to get the rest", async () => {
    const script = 'i=0; while [ $i -lt 20 ]; do echo "line $i"; i=$((i+1)); sleep 0.1; done';
    const op = await createExec(client, { instance: INSTANCE, command: ["sh", "-c", script] }, undefined);
    const held: WebSocket[] = [];
    for (const fd of ["0", "2", "control"]) {
      const ws = await openFd(client, op.id, op.fds[fd] as string);
      ws.on("error", () => {});
      ws.resume();
      held.push(ws);
    }
    const r = await c.call("get-websocket-stream", {
      id: op.id,
      secret: op.fds["1"],
      maxBytes: 10,
      timeoutSeconds: 10,
    });
    expect(r.structuredContent).toMatchObject({
      data: "line 0\nlin",
      truncated: true,
      endReason: "max-bytes",
      complete: false,
    });
    expect(textOf(r)).toMatch(/a socket can be read only once: what follows is discarded so the command runs on/);
    expect(textOf(r)).toMatch(/raise maxBytes .* exec-in-instance .* open-exec-session/);
    // Closing fd 1 at the cap would have made the command die of SIGPIPE (exit 141).
    const done = await waitOperationEnd(client, op.id, { timeoutSec: 15 });
    expect(done.operation?.metadata?.return).toBe(0);
    for (const ws of held) ws.terminate();
  });

  it("refuses a secret that is not one of the operation's fds before connecting anything", async () => {
    const op = await createTokenOperation(`ro-stream-token-${process.pid}`);
    try {
      const r = await c.call("get-websocket-stream", { id: op.id, secret: op.metadata.secret, timeoutSeconds: 5 });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/is not one of this operation's output sockets/);
      // The token operation is untouched.
      expect((await api<{ status: string }>("GET", `/1.0/operations/${op.id}`)).status).toBe("Running");
    } finally {
      await api("DELETE", `/1.0/operations/${op.id}`).catch(() => {});
    }
  });
});

describe.skipIf(gate.skip)("--confirm-destructive against a real Incus daemon", () => {
  async function withAnswer(action: "accept" | "decline") {
    const handle = createVendorServer(incusVendor, { env: { INCUS_SOCKET: SOCKET }, confirmDestructive: true });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await handle.server.connect(b);
    const mcp = new Client({ name: "confirm", version: "0" }, { capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    mcp.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return action === "accept" ? { action, content: { confirm: true } } : { action };
    });
    await mcp.connect(a);
    const close = async () => {
      await mcp.close();
      await handle.close();
    };
    return { mcp, asked, close };
  }

  it("declined cancel-operation leaves the operation running; accepted cancels it", async () => {
    const op = await createTokenOperation(`confirm-${process.pid}`);
    const no = await withAnswer("decline");
    const yes = await withAnswer("accept");
    try {
      const refused = await no.mcp.callTool({ name: "cancel-operation", arguments: { id: op.id } });
      expect(refused.isError).toBe(true);
      expect(no.asked).toHaveLength(1);
      expect((await api<{ status: string }>("GET", `/1.0/operations/${op.id}`)).status).toBe("Running");
      const done = await yes.mcp.callTool({ name: "cancel-operation", arguments: { id: op.id } });
      expect(done.isError).toBeFalsy();
      const after = await waitOperationEnd(client(), op.id, { timeoutSec: 5 });
      expect(after.operation?.status).toBe("Cancelled");
    } finally {
      await api("DELETE", `/1.0/operations/${op.id}`).catch(() => {});
      await no.close();
      await yes.close();
    }
  });

  it("without elicitation the client is told the operator requires confirmation", async () => {
    const op = await createTokenOperation(`confirm-nocap-${process.pid}`);
    const plain = await connectInMemory(incusVendor, { env: { INCUS_SOCKET: SOCKET }, confirmDestructive: true });
    try {
      const r = await plain.call("cancel-operation", { id: op.id });
      expect(textOf(r)).toMatch(/operator requires the user to confirm destructive calls/);
      expect((await api<{ status: string }>("GET", `/1.0/operations/${op.id}`)).status).toBe("Running");
    } finally {
      await api("DELETE", `/1.0/operations/${op.id}`).catch(() => {});
      await plain.close();
    }
  });
});

const shared = createIncusClient({ INCUS_SOCKET: SOCKET });
function client() {
  return shared;
}
