/**
 * get-service-logs and open-container-shell against the gateway front (gateway-front.ts): the
 * real websocket client, the ids resolved through the REST API (contract-checked), the query and
 * Authorization the gateway sees, JSON log frames, binary shell frames over a real container, the
 * close codes, and the failure cases. Also the raw passthrough of both routes on the REST surface.
 */
import { execFileSync } from "node:child_process";
import { type NetworkHandle, serveNetwork } from "@infra-mcp/core/network";
import type { ConnectedClient } from "@infra-mcp/core/testing";
import {
  connectInMemory,
  daemonGate,
  LOOPBACK_TEST_NETWORK,
  sessionReadOf,
  textOf,
  waitFor,
} from "@infra-mcp/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { qoveryVendor } from "../src/index.js";
import { IDS } from "./fixtures.js";
import { type GatewayFront, LOG_T0, startGatewayFront } from "./gateway-front.js";
import { QoverySpec } from "./openapi.js";
import { FAKE_TOKEN, type Recorder, startRecorder } from "./servers.js";

const spec = new QoverySpec();
const CLUSTER = "7c6b5a49-3827-4615-9403-f2e1d0c9b8a7";
const PROJECT = "2f3e4d5c-6b7a-4898-a7b6-c5d4e3f2a1b0";
const UNKNOWN = "00000000-0000-4000-8000-000000000000";
const GHOST = "11111111-2222-4333-8444-555555555555";

function dockerUp(): boolean {
  try {
    execFileSync("docker", ["image", "inspect", "busybox:local"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const gate = daemonGate("Docker engine with image busybox:local (the shell front runs commands in it)", dockerUp());
const CONTAINER = `qovery-shell-${process.pid}`;

function answer(req: { method: string; path: string }) {
  if (req.path === `/container/${UNKNOWN}`) return { status: 404, body: { message: "Container not found" } };
  if (req.path.startsWith("/container/")) {
    const id = req.path.split("/")[2];
    return { status: 200, body: { id, name: "web-api", environment: { id: IDS.environment } } };
  }
  if (req.path === `/environment/${IDS.environment}`) {
    return {
      status: 200,
      body: {
        id: IDS.environment,
        created_at: "2026-01-01T00:00:00Z",
        name: "prod",
        organization: { id: IDS.organization },
        project: { id: PROJECT },
        cluster_id: CLUSTER,
        cloud_provider: { provider: "aws" },
        mode: "PRODUCTION",
      },
    };
  }
  return { status: 404, body: {} };
}

let rec: Recorder;
let front: GatewayFront;
let mcp: ConnectedClient;
const env = () => ({ QOVERY_API_KEY: FAKE_TOKEN, QOVERY_API_URL: rec.url, QOVERY_WS_URL: front.url });

beforeAll(async () => {
  if (!gate.skip) {
    execFileSync("docker", ["rm", "-f", CONTAINER], { stdio: "ignore" });
    execFileSync("docker", ["run", "-d", "--network", "none", "--name", CONTAINER, "busybox:local", "sleep", "3600"]);
  }
  rec = await startRecorder(answer);
  front = await startGatewayFront({ token: FAKE_TOKEN, container: CONTAINER });
  front.services.add(IDS.container);
  mcp = await connectInMemory(qoveryVendor, { toolsets: ["all"], env: env() });
});
afterAll(async () => {
  await mcp?.close();
  await front?.close();
  await rec?.close();
  if (!gate.skip) execFileSync("docker", ["rm", "-f", CONTAINER], { stdio: "ignore" });
});
afterEach(() => {
  rec.requests.length = 0;
  front.upgrades.length = 0;
  front.logScript = { count: 3, after: "stay" };
  front.dropShellAfterFirstOutput = false;
});

/** The REST reads that resolved the ids, each valid against qovery-openapi.yaml. */
function expectIdLookups() {
  expect(rec.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    `GET /container/${IDS.container}`,
    `GET /environment/${IDS.environment}`,
  ]);
  for (const r of rec.requests) {
    expect(spec.check(r).problems).toEqual([]);
    expect(r.headers.authorization).toBe(`Token ${FAKE_TOKEN}`);
  }
}

describe("get-service-logs", () => {
  it("resolves the ids over REST and sends them in the query with the REST Authorization header", async () => {
    const r = await mcp.call("get-service-logs", { containerId: IDS.container, seconds: 1 });
    expect(r.isError, textOf(r)).toBeFalsy();
    expectIdLookups();
    const [up] = front.upgrades;
    expect(up?.path).toBe("/service/logs");
    expect(up?.problems).toEqual([]);
    expect(up?.authorization).toBe(`Token ${FAKE_TOKEN}`);
    expect(Object.fromEntries(up?.query ?? [])).toEqual({
      organization: IDS.organization,
      cluster: CLUSTER,
      project: PROJECT,
      environment: IDS.environment,
      service: IDS.container,
    });
    // created_at is unix milliseconds: the text keeps the milliseconds.
    expect(textOf(r)).toBe(
      [
        "3 lines in 1 s:",
        `${new Date(LOG_T0).toISOString()} web-api-7d9f-a request 0 served`,
        `${new Date(LOG_T0 + 1).toISOString()} web-api-7d9f-b request 1 served`,
        `${new Date(LOG_T0 + 2).toISOString()} web-api-7d9f-a request 2 served`,
      ].join("\n"),
    );
    expect(new Date(LOG_T0).toISOString()).toBe("2026-01-02T03:04:05.678Z");
    const s = r.structuredContent as { lines: { pod: string; version: string }[]; endReason: string };
    expect(s.endReason).toBe("time");
    expect(s.lines[1]).toMatchObject({ pod: "web-api-7d9f-b", version: "1.4.2" });
  });

  it("stops at maxLines and closes the stream normally", async () => {
    front.logScript = { count: 50, after: "stay" };
    const r = await mcp.call("get-service-logs", {
      containerId: IDS.container,
      maxLines: 10,
      seconds: 60,
      pod: "web-api-7d9f-a",
    });
    expect(textOf(r)).toMatch(/^10 lines \(maxLines reached; raise maxLines, or follow: true for a session\):/);
    expect((r.structuredContent as { lines: unknown[] }).lines).toHaveLength(10);
    expect(front.upgrades[0]?.query.get("pod_name")).toBe("web-api-7d9f-a");
    expect(front.upgrades[0]?.problems).toEqual([]);
    await expect.poll(() => front.clientCloses.at(-1)).toBe(1000);
  });

  it("a normal close (1000) by the gateway ends the read without error", async () => {
    front.logScript = { count: 2, after: "close" };
    const r = await mcp.call("get-service-logs", { containerId: IDS.container, seconds: 60 });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toMatch(/^2 lines, then the gateway ended the stream:/);
  });

  it("a gateway that drops the connection mid-stream: a clear error, the lines so far kept", async () => {
    front.logScript = { count: 3, after: "drop" };
    const r = await mcp.call("get-service-logs", { containerId: IDS.container, seconds: 60 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(
      /^Error: 3 lines, then the gateway dropped the connection without a close frame \(1006\)/,
    );
    expect(textOf(r)).toContain("request 2 served");
    expect((r.structuredContent as { closeCode: number }).closeCode).toBe(1006);
  });

  it("close 1011 says the cluster cannot be reached", async () => {
    front.logScript = { count: 0, after: "close1011" };
    const r = await mcp.call("get-service-logs", { containerId: IDS.container, seconds: 60 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/could not reach the service's cluster \(close 1011: cluster agent unreachable\)/);
  });

  it("a bad token: the gateway refuses the upgrade (401), said without the token", async () => {
    const other = await connectInMemory(qoveryVendor, {
      toolsets: ["all"],
      env: { ...env(), QOVERY_API_KEY: "qov-WRONG-token-123456" },
    });
    try {
      const r = await other.call("get-service-logs", { containerId: IDS.container });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/\/service\/logs \(websocket\) failed: HTTP 401.*rejected the token in QOVERY_API_KEY/);
      expect(textOf(r)).not.toContain("qov-WRONG-token-123456");
      expect(front.upgrades.at(-1)?.authorization).toBe("Token qov-WRONG-token-123456");
    } finally {
      await other.close();
    }
  });

  it("an unknown container: the REST lookup says so and no websocket is opened", async () => {
    const r = await mcp.call("get-service-logs", { containerId: UNKNOWN });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/HTTP 404.*No container with this containerId/);
    expect(front.upgrades).toEqual([]);
  });

  it("a service the gateway does not know: close 1007 read as refused access", async () => {
    const r = await mcp.call("get-service-logs", { containerId: GHOST, seconds: 60 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/gateway refused access \(close 1007: permission denied: service not found\)/);
    expect(front.upgrades[0]?.query.get("service")).toBe(GHOST);
  });

  it("follow: a session read by offset; more lines arrive; session-close ends the stream", async () => {
    const r = await mcp.call("get-service-logs", { containerId: IDS.container, follow: true });
    expect(r.isError, textOf(r)).toBeFalsy();
    const { sessionId } = r.structuredContent as { sessionId: string };
    const first = await mcp.call("session-read", { sessionId, offset: 0, waitMs: 2000 });
    const s1 = sessionReadOf(first);
    expect(s1.text.split("\n").filter(Boolean)).toHaveLength(3);
    expect(s1.state).toBe("open");
    const [ws] = front.logSockets;
    if (!ws) throw new Error("no open log socket");
    front.sendLog(ws, 7);
    const more = await mcp.call("session-read", { sessionId, offset: s1.nextOffset, waitMs: 5000 });
    expect(sessionReadOf(more).text).toBe(`${new Date(LOG_T0 + 7).toISOString()} web-api-7d9f-b request 7 served\n`);
    const w = await mcp.call("session-write", { sessionId, data: "x" });
    expect(textOf(w)).toMatch(/a log stream takes no input/);
    await mcp.call("session-close", { sessionId });
    await expect.poll(() => front.logSockets.size).toBe(0);
  });

  it("follow: a drop mid-stream leaves the output readable, with the reason as its last line", async () => {
    front.logScript = { count: 2, after: "drop" };
    const r = await mcp.call("get-service-logs", { containerId: IDS.container, follow: true });
    const { sessionId } = r.structuredContent as { sessionId: string };
    await expect
      .poll(
        async () => (await mcp.call("session-read", { sessionId, waitMs: 0 })).structuredContent as { state: string },
      )
      .toMatchObject({ state: "exited" });
    const all = sessionReadOf(await mcp.call("session-read", { sessionId }));
    const lines = all.text.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("[the gateway dropped the connection without a close frame (1006)]");
    await mcp.call("session-close", { sessionId });
  });
});

describe.skipIf(gate.skip)("open-container-shell (commands run in a real container)", () => {
  it("one-shot: argv as repeated command parameters, no TTY, stdin then EOF, binary output frames", async () => {
    const r = await mcp.call("open-container-shell", {
      containerId: IDS.container,
      command: ["sh", "-c", "echo out; echo err >&2; tr a-z A-Z"],
      stdin: "piped input\n",
      pod: "web-api-7d9f-a",
      container: "web-api",
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expectIdLookups();
    const up = front.upgrades[0];
    expect(up?.path).toBe("/shell/exec");
    expect(up?.problems).toEqual([]);
    expect(up?.query.getAll("command")).toEqual(["sh", "-c", "echo out; echo err >&2; tr a-z A-Z"]);
    expect(Object.fromEntries([...(up?.query ?? [])].filter(([k]) => k !== "command"))).toEqual({
      organization: IDS.organization,
      cluster: CLUSTER,
      project: PROJECT,
      environment: IDS.environment,
      service: IDS.container,
      pod_name: "web-api-7d9f-a",
      container_name: "web-api",
      tty_width: "0",
      tty_height: "0",
    });
    const s = r.structuredContent as { output: string; endReason: string; closeCode: number; exitCode: null };
    expect(s.output.split("\n").sort()).toEqual(["", "PIPED INPUT", "err", "out"]);
    expect(s).toMatchObject({ endReason: "closed", closeCode: 1000, exitCode: null });
    expect(textOf(r)).toMatch(/^command ended · \d+ bytes/);
  });

  it("one-shot output is bounded: past maxOutputBytes it is counted, not kept", async () => {
    const r = await mcp.call("open-container-shell", {
      containerId: IDS.container,
      command: ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"],
      maxOutputBytes: 1000,
    });
    const s = r.structuredContent as { output: string; outputBytes: number; truncated: boolean };
    expect(s.output).toBe("x".repeat(1000));
    expect(s).toMatchObject({ outputBytes: 100000, truncated: true });
    expect(textOf(r)).toMatch(/truncated: kept 1000 of 100000 bytes/);
  });

  it("a drop mid-stream: a clear error, the output received so far kept", async () => {
    front.dropShellAfterFirstOutput = true;
    const r = await mcp.call("open-container-shell", {
      containerId: IDS.container,
      command: ["sh", "-c", "echo first; sleep 30; echo never"],
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(
      /^Error: the gateway dropped the connection without a close frame \(1006\); output received so far is kept/,
    );
    expect((r.structuredContent as { output: string }).output).toBe("first\n");
  });

  it("session: TTY size in the query, stdin as binary frames, output by offset, EOF ends it", async () => {
    const r = await mcp.call("open-container-shell", { containerId: IDS.container, command: ["sh"], session: true });
    expect(r.isError, textOf(r)).toBeFalsy();
    const { sessionId } = r.structuredContent as { sessionId: string };
    expect(front.upgrades[0]?.query.get("tty_width")).toBe("80");
    expect(front.upgrades[0]?.query.get("tty_height")).toBe("24");
    await mcp.call("session-write", { sessionId, data: "echo one-$((40+2))\n" });
    await expect
      .poll(async () => sessionReadOf(await mcp.call("session-read", { sessionId, waitMs: 500 })).text)
      .toContain("one-42");
    const resize = await mcp.call("session-resize", { sessionId, cols: 120, rows: 40 });
    expect(resize.isError).toBe(true);
    expect(textOf(resize)).toMatch(/sets the TTY size only when the shell opens/);
    await mcp.call("session-write", { sessionId, data: "echo two\n", eof: true });
    await expect
      .poll(
        async () => (await mcp.call("session-read", { sessionId, waitMs: 0 })).structuredContent as { state: string },
      )
      .toMatchObject({ state: "exited" });
    const out = sessionReadOf(await mcp.call("session-read", { sessionId }));
    expect(out.text).toBe("one-42\ntwo\n");
    await mcp.call("session-close", { sessionId });
  });

  it("cols without rows is refused naming the field, before any request", async () => {
    const r = await mcp.call("open-container-shell", { containerId: IDS.container, cols: 80 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/"rows"/);
    expect(rec.requests).toEqual([]);
  });
});

describe("both gateway routes served raw on the REST surface (the client never holds the token)", () => {
  let net: NetworkHandle;
  beforeAll(async () => {
    net = await serveNetwork([qoveryVendor as never], {
      toolsets: ["all"],
      ...LOOPBACK_TEST_NETWORK,
      http: false,
      rest: true,
      env: env(),
    });
  });
  afterAll(async () => {
    await net?.close();
  });

  const connect = (path: string) =>
    new Promise<{ ws: WebSocket; frames: { data: Buffer; binary: boolean }[]; closed: Promise<number> }>(
      (resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${net.restPort}${path}`);
        const frames: { data: Buffer; binary: boolean }[] = [];
        const closed = new Promise<number>((r) => ws.on("close", (code) => r(code)));
        ws.on("message", (data: Buffer, binary) => frames.push({ data, binary }));
        ws.once("open", () => resolve({ ws, frames, closed }));
        ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.once("error", reject);
      },
    );

  it("/v1/service/logs: the gateway's JSON text frames, the token added by the server", async () => {
    const c = await connect(`/v1/service/logs?containerId=${IDS.container}`);
    await expect.poll(() => c.frames.length).toBe(3);
    expect(c.frames.every((f) => !f.binary)).toBe(true);
    expect(JSON.parse(c.frames[0]?.data.toString() ?? "")).toMatchObject({
      created_at: LOG_T0,
      pod_name: "web-api-7d9f-a",
    });
    expect(front.upgrades[0]?.authorization).toBe(`Token ${FAKE_TOKEN}`);
    expect(front.upgrades[0]?.problems).toEqual([]);
    c.ws.close(1000);
    expect(await c.closed).toBe(1000);
  });

  it("/v1/service/logs: a gateway drop is mirrored as a drop (1006)", async () => {
    front.logScript = { count: 1, after: "drop" };
    const c = await connect(`/v1/service/logs?containerId=${IDS.container}`);
    expect(await c.closed).toBe(1006);
    expect(c.frames).toHaveLength(1);
  });

  it("a bad container id is refused before any upgrade reaches the gateway", async () => {
    await expect(connect(`/v1/service/logs?containerId=${UNKNOWN}`)).rejects.toThrow(/HTTP 404/);
    await expect(connect("/v1/service/logs?containerId=nope")).rejects.toThrow(/HTTP 400/);
    expect(front.upgrades).toEqual([]);
  });

  it.skipIf(gate.skip)("/v1/shell/exec: binary stdin and output frames, close 1000 when the command ends", async () => {
    const c = await connect(`/v1/shell/exec?containerId=${IDS.container}&command=cat`);
    expect(front.upgrades[0]?.query.get("tty_width")).toBe("80");
    c.ws.send(Buffer.from("raw bytes\n"), { binary: true });
    c.ws.send(Buffer.from([0x04]), { binary: true });
    expect(await c.closed).toBe(1000);
    expect(Buffer.concat(c.frames.map((f) => f.data)).toString()).toBe("raw bytes\n");
    expect(c.frames.every((f) => f.binary)).toBe(true);
  });

  // The front's EOT rule is a terminal's (see gateway-front.ts for the source): a client that sends
  // EOT after input without a final newline must send a second one to end the command's stdin.
  it.skipIf(gate.skip)(
    "/v1/shell/exec: EOT after a partial line hands it over; EOT at a line start ends stdin",
    async () => {
      const c = await connect(`/v1/shell/exec?containerId=${IDS.container}&command=cat`);
      const output = () => Buffer.concat(c.frames.map((f) => f.data)).toString();
      c.ws.send(Buffer.from("partial\x04"), { binary: true });
      await waitFor(() => output() === "partial", { what: "cat to print the partial line the EOT handed over" });
      // stdin is still open: what follows reaches cat too (after an EOF it could not)
      c.ws.send(Buffer.from(" more\n"), { binary: true });
      await waitFor(() => output() === "partial more\n", { what: "cat to print the rest of the line" });
      c.ws.send(Buffer.from([0x04]), { binary: true });
      expect(await c.closed).toBe(1000);
      expect(output()).toBe("partial more\n");
    },
  );
});
