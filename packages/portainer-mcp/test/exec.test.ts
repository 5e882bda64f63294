import { randomBytes } from "node:crypto";
import { type ConnectedClient, connectInMemory, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

const NAME = `pmcp-exec-${uniq}`;

describe.skipIf(gate.skip)("execute-websocket over a Portainer front on the real Docker engine", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;
  let containerId: string;

  beforeAll(async () => {
    containerId = await runContainer(NAME, ["sleep", "3600"]);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
  });
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    await removeContainer(NAME);
  });

  const exec = (args: Record<string, unknown>) =>
    mcp.call("execute-websocket", { endpointId: 1, containerId: NAME, ...args });

  it("echo round trip: output and exit code 0", async () => {
    const r = await exec({ command: ["echo", "hello portainer"] });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as Record<string, unknown>;
    expect(s.output).toBe("hello portainer\n");
    expect(s.exitCode).toBe(0);
    expect(s.truncated).toBe(false);
    expect(typeof s.durationMs).toBe("number");
    expect(textOf(r)).toMatch(/^exit code 0 /);
    // the websocket carried the API key as a header and the exec id as `id`
    const ws = front.requests.filter((q) => q.websocket && q.path === "/api/websocket/exec").at(-1);
    expect(ws?.auth).toBe("api-key-header");
    expect(ws?.query).toEqual({ endpointId: "1", id: s.execId });
  });

  it("sh -c 'exit 7' → exit code 7", async () => {
    const r = await exec({ command: ["sh", "-c", "exit 7"] });
    expect((r.structuredContent as { exitCode: number }).exitCode).toBe(7);
    expect(textOf(r)).toMatch(/^exit code 7/);
  });

  it("keeps stderr (Portainer's Tty:true start would drop it) unless mergeStderr is false", async () => {
    const merged = await exec({ command: ["sh", "-c", "echo out; echo err >&2; exit 3"] });
    expect((merged.structuredContent as { output: string }).output).toBe("out\nerr\n");
    expect((merged.structuredContent as { exitCode: number }).exitCode).toBe(3);
    const raw = await exec({ command: ["sh", "-c", "echo out; echo err >&2"], mergeStderr: false });
    // the fact being worked around: Docker discards stderr when the start request says Tty:true
    expect((raw.structuredContent as { output: string }).output).toBe("out\n");
  });

  it("100 KiB of stdin through cat comes back byte for byte, in frames of at most 2 KiB", async () => {
    const payload = randomBytes(75 * 1024).toString("base64"); // 102400 ASCII bytes
    expect(payload.length).toBe(100 * 1024);
    const framesBefore = front.stats.clientFrames;
    const r = await exec({ command: ["cat"], stdin: payload, timeoutMs: 30_000, maxOutputBytes: 200 * 1024 });
    const s = r.structuredContent as { output: string; exitCode: number; outputBytes: number };
    expect(s.exitCode).toBe(0);
    expect(s.outputBytes).toBe(payload.length);
    expect(Buffer.from(s.output).equals(Buffer.from(payload))).toBe(true);
    expect(front.stats.maxClientFrame).toBeLessThanOrEqual(2048);
    // 50 frames of stdin, plus the handshake's two lines (GO before, ACK after the end mark).
    expect(front.stats.clientFrames - framesBefore).toBe(52);
    expect(front.stats.maxServerFrame).toBeLessThanOrEqual(2048);
  });

  it("binary stdin (base64) reaches the process; non-UTF-8 output bytes are dropped by the bridge", async () => {
    const r = await exec({
      command: ["od", "-An", "-tx1"],
      stdin: Buffer.from([0xff, 0x00, 0x41]).toString("base64"),
      stdinEncoding: "base64",
    });
    expect((r.structuredContent as { output: string }).output.trim()).toBe("ff 00 41");
    const b = await exec({ command: ["printf", "a\\377b\\303\\251c"] });
    expect((b.structuredContent as { output: string }).output).toBe("abéc");
  });

  it("tty, user, workingDir and env reach the exec", async () => {
    const r = await exec({
      command: ["sh", "-c", "id -u; pwd; echo $FOO"],
      user: "1234",
      workingDir: "/tmp",
      env: ["FOO=bar baz"],
    });
    expect((r.structuredContent as { output: string }).output).toBe("1234\n/tmp\nbar baz\n");
    const t = await exec({ command: ["sh", "-c", "test -t 1 && echo tty"], tty: true });
    expect((t.structuredContent as { output: string }).output).toBe("tty\r\n");
  });

  it("50 MiB of output is capped, marked truncated, and memory stays bounded", async () => {
    // Live memory, sampled after a forced GC (vitest runs with --expose-gc): what the server holds,
    // not garbage waiting for collection. The front in this process is bounded by backpressure.
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, "run with --expose-gc (vitest.config.ts)").toBeTypeOf("function");
    const sample = () => {
      gc?.();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const base = sample();
    let peak = base;
    let samples = 0;
    const timer = setInterval(() => {
      peak = Math.max(peak, sample());
      samples++;
    }, 50);
    const r = await exec({
      command: ["sh", "-c", "yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c 52428800"],
      maxOutputBytes: 64 * 1024,
      timeoutMs: 120_000,
    });
    clearInterval(timer);
    peak = Math.max(peak, sample());
    const s = r.structuredContent as {
      truncated: boolean;
      outputBytes: number;
      keptBytes: number;
      exitCode: number;
      output: string;
    };
    expect(s.exitCode).toBe(0);
    expect(s.truncated).toBe(true);
    expect(s.outputBytes).toBe(50 * 1024 * 1024);
    expect(s.keptBytes).toBe(64 * 1024);
    expect(s.output.length).toBe(64 * 1024);
    expect(textOf(r)).toContain(`kept 65536 of 52428800 bytes`);
    const deltaMiB = (peak - base) / 1024 / 1024;
    console.log(`50 MiB exec: peak live heap+arrayBuffers delta ${deltaMiB.toFixed(1)} MiB over ${samples} samples`);
    expect(samples).toBeGreaterThan(3);
    expect(deltaMiB).toBeLessThan(16);
  }, 180_000);

  it("an existing execId can be started", async () => {
    const created = await fetch(`${front.url}/api/endpoints/1/docker/containers/${containerId}/exec`, {
      method: "POST",
      headers: { "x-api-key": API_KEY, "content-type": "application/json" },
      body: JSON.stringify({ AttachStdout: true, AttachStderr: true, Cmd: ["echo", "pre-made"] }),
    });
    const { Id } = (await created.json()) as { Id: string };
    const r = await mcp.call("execute-websocket", { endpointId: 1, execId: Id });
    expect((r.structuredContent as { output: string }).output).toBe("pre-made\n");
    expect((r.structuredContent as { exitCode: number }).exitCode).toBe(0);
  });

  it("missing container → clear 404", async () => {
    const r = await mcp.call("execute-websocket", {
      endpointId: 1,
      containerId: "no-such-container-xyz",
      command: ["true"],
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("HTTP 404");
    expect(textOf(r)).toContain("No such container: no-such-container-xyz");
  });

  it("unknown exec id → clear 404; unknown environment → clear 404", async () => {
    const r = await mcp.call("execute-websocket", { endpointId: 1, execId: "abcdef0123456789" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/HTTP 404.*exec abcdef0123456789 does not exist/);
    const e = await mcp.call("execute-websocket", { endpointId: 99, containerId: NAME, command: ["true"] });
    expect(textOf(e)).toMatch(/HTTP 404.*Unable to find an environment/);
  });

  it("bad input is refused naming the field, and the server keeps working", async () => {
    const r = await mcp.call("execute-websocket", { endpointId: 1, containerId: NAME });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('"command"');
    const bad = await mcp.call("execute-websocket", { endpointId: 1, execId: "not hex!" });
    expect(textOf(bad)).toContain('"execId"');
    const ok = await exec({ command: ["true"] });
    expect((ok.structuredContent as { exitCode: number }).exitCode).toBe(0);
  });

  it("timeout: the wrapped command is killed; unwrapped it may still run, and the answer says so", async () => {
    const r = await exec({ command: ["sleep", "30"], timeoutMs: 500 });
    const s = r.structuredContent as { running: boolean; exitCode: number | null; endReason: string; killed?: boolean };
    expect(s.endReason).toBe("total-timeout");
    expect(s).toMatchObject({ running: false, killed: true, exitCode: 137 });
    expect(textOf(r)).toContain("killed after 500 ms");
    const bare = await exec({ command: ["sleep", "3"], timeoutMs: 500, closeStdin: false, mergeStderr: false });
    expect(bare.structuredContent).toMatchObject({ endReason: "total-timeout", running: true, exitCode: null });
    expect(textOf(bare)).toContain("still running");
  });

  it("list-environments and list-containers", async () => {
    const envs = await mcp.call("list-environments", {});
    expect((envs.structuredContent as { environments: { id: number; type: string }[] }).environments).toContainEqual(
      expect.objectContaining({ id: 1, type: "docker" }),
    );
    const cs = await mcp.call("list-containers", { endpointId: 1 });
    expect(textOf(cs)).toContain(NAME);
    const last = front.requests.filter((q) => q.path.endsWith("/containers/json")).at(-1);
    expect(last?.query.all).toBe("1");
  });
});

describe.skipIf(gate.skip)("auth against the front", () => {
  let front: PortainerFront;
  beforeAll(async () => {
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
  });
  afterAll(async () => {
    await front?.close();
  });

  it("wrong key → clear 401 that does not contain the key", async () => {
    const wrong = "ptr_WRONGKEY_0000000001";
    const mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: wrong } });
    try {
      for (const r of [
        await mcp.call("list-environments", {}),
        await mcp.call("execute-websocket", { endpointId: 1, execId: "abc123" }),
      ]) {
        expect(r.isError).toBe(true);
        expect(textOf(r)).toContain("HTTP 401");
        expect(textOf(r)).toContain("credential was rejected");
        expect(JSON.stringify(r)).not.toContain(wrong);
      }
    } finally {
      await mcp.close();
    }
  });

  it("a JWT goes as Bearer on REST and ?token= on the websocket, and never shows in results", async () => {
    const mcp = await connectInMemory(portainerVendor, {
      env: { PORTAINER_URL: `${front.url}/api/`, PORTAINER_TOKEN: JWT },
    });
    const name = `pmcp-jwt-${uniq}`;
    await runContainer(name, ["sleep", "600"]);
    try {
      const r = await mcp.call("execute-websocket", { endpointId: 1, containerId: name, command: ["echo", "jwt ok"] });
      expect((r.structuredContent as { output: string }).output).toBe("jwt ok\n");
      const rest = front.requests.filter((q) => !q.websocket && q.path.endsWith("/exec")).at(-1);
      const ws = front.requests.filter((q) => q.websocket).at(-1);
      expect(rest?.auth).toBe("bearer");
      expect(ws?.auth).toBe("token-query");
      expect(JSON.stringify(r)).not.toContain(JWT);
    } finally {
      await mcp.close();
      await removeContainer(name);
    }
  });
});
