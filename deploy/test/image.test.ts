/**
 * The container images against the real Docker engine: scripts/build-base-image.sh makes (once,
 * cached by tag) a Debian bookworm minbase + Node 22 base, `docker build` the gateway and one
 * server on it, `docker run` them as a hardened container would run in a cluster (read-only root,
 * tmpfs /tmp, no capabilities, non-root) and drive them over HTTP with the MCP SDK client.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { daemonGate } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, report, round, run, waitFor } from "./helpers.js";

const TOKEN = "container-token-5b0e77d1c2a94f3e";
const QOVERY_KEY = "qov_fake_container_key_90c1d7";
const GATEWAY_TAG = "infra-mcp-gateway:deploy-test";
const SERVER_TAG = "qovery-mcp:deploy-test";
const suffix = `${process.pid}`;

function dockerUp(): boolean {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const gate = daemonGate("docker", dockerUp());

async function docker(...args: string[]): Promise<string> {
  // No buildx on these machines: the classic builder (it reads .dockerignore at the context root).
  const { stdout } = await run("docker", args, {
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** Hardened run: read-only root, tmpfs /tmp, no capabilities, loopback-only published ports. */
async function runContainer(name: string, image: string, env: Record<string, string>, args: string[] = []) {
  await docker(
    "run",
    "-d",
    "--name",
    name,
    "--read-only",
    "--tmpfs",
    "/tmp:rw,nosuid,nodev,size=16m,mode=1777",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--memory",
    "384m",
    "--health-interval",
    "1s",
    "-p",
    "127.0.0.1::9090",
    "-p",
    "127.0.0.1::8080",
    ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    image,
    ...args,
  );
  const hostPort = async (p: number) =>
    Number((await docker("port", name, `${p}/tcp`)).split("\n")[0]!.split(":").pop());
  return { mcp: await hostPort(9090), rest: await hostPort(8080) };
}

async function health(name: string): Promise<string> {
  return docker("inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.Status}}", name);
}

async function mcpClient(url: string) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
  });
  const client = new Client({ name: "image-test", version: "0" });
  await client.connect(transport);
  return { client, transport };
}

describe.skipIf(gate.skip)("container images (docker build + docker run)", () => {
  let base = "";
  const numbers: Record<string, unknown> = {};
  const names = {
    gateway: `deploy-gw-${suffix}`,
    noToken: `deploy-notoken-${suffix}`,
    server: `deploy-qovery-${suffix}`,
  };

  beforeAll(async () => {
    const t0 = performance.now();
    const { stdout } = await run("bash", [join(repoRoot, "scripts/build-base-image.sh")], {
      timeout: 580_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    base = stdout.trim().split("\n").pop()!;
    numbers.baseImageSeconds = round((performance.now() - t0) / 1000);
    numbers.baseImageMiB = round(Number(await docker("image", "inspect", "--format", "{{.Size}}", base)) / 2 ** 20, 0);
  });

  afterAll(async () => {
    for (const n of Object.values(names)) await docker("rm", "-f", n).catch(() => {});
    await docker("rmi", GATEWAY_TAG, SERVER_TAG).catch(() => {});
    report("image", numbers);
  });

  it("builds the gateway image from the bundle: non-root, healthcheck, no install step", async () => {
    const t0 = performance.now();
    await docker(
      "build",
      "-q",
      "-f",
      join(repoRoot, "deploy/Dockerfile"),
      "--build-arg",
      `BASE_IMAGE=${base}`,
      "-t",
      GATEWAY_TAG,
      repoRoot,
    );
    numbers.gatewayBuildSeconds = round((performance.now() - t0) / 1000);
    const info = JSON.parse(await docker("image", "inspect", GATEWAY_TAG))[0];
    numbers.gatewayImageMiB = round(info.Size / 2 ** 20, 0);
    expect(info.Config.User).toBe("10001:10001");
    expect(info.Config.Healthcheck.Test.join(" ")).toContain("/healthz");
    expect(info.Config.Entrypoint).toEqual(["node", "/app/bin.js"]);
    expect(info.Config.Env).toEqual(expect.arrayContaining(["MCP_HTTP_HOST=0.0.0.0", "MCP_HTTP_PORT=9090"]));
    // The app layer is only the bundle (package.json, bin.js, dist): a few MiB over the base.
    const baseSize = Number(await docker("image", "inspect", "--format", "{{.Size}}", base));
    numbers.gatewayLayerMiB = round((info.Size - baseSize) / 2 ** 20);
    expect(info.Size - baseSize).toBeLessThan(20 * 2 ** 20);
  });

  it("refuses to start on 0.0.0.0 without MCP_HTTP_TOKEN, naming the variable", async () => {
    await docker("run", "--name", names.noToken, "--read-only", GATEWAY_TAG).catch(() => {});
    const code = await docker("inspect", "--format", "{{.State.ExitCode}}", names.noToken);
    const logs = await run("docker", ["logs", names.noToken]);
    expect(code).toBe("2");
    expect(logs.stderr + logs.stdout).toContain("MCP_HTTP_TOKEN");
    // A start-up error is a JSON log line like every other one.
    const lines = logs.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", msg: expect.stringContaining("MCP_HTTP_TOKEN") });
  });

  it("docker run (read-only root, no capabilities): healthy, then initialize + tools/list over HTTP", async () => {
    const t0 = performance.now();
    const ports = await runContainer(names.gateway, GATEWAY_TAG, {
      MCP_HTTP_TOKEN: TOKEN,
      MCP_INSTANCE_ID: "container-1",
      QOVERY_API_KEY: QOVERY_KEY,
    });
    await waitFor(
      "container healthy",
      async () => ((await health(names.gateway)).startsWith("healthy") ? true : undefined),
      30_000,
    );
    numbers.runToHealthySeconds = round((performance.now() - t0) / 1000);

    const base = `http://127.0.0.1:${ports.mcp}`;
    const denied = await fetch(`${base}/qovery/mcp`, { method: "POST", body: "{}" });
    expect(denied.status).toBe(401);
    const probe = await fetch(`${base}/healthz`);
    expect(await probe.json()).toEqual({ status: "ok" });
    expect(probe.headers.get("x-mcp-instance")).toBe("container-1");
    expect((await fetch(`http://127.0.0.1:${ports.rest}/healthz`)).status).toBe(200);

    const listed: Record<string, number> = {};
    for (const mount of ["portainer", "incus", "qovery"]) {
      const t1 = performance.now();
      const { client, transport } = await mcpClient(`${base}/${mount}/mcp`);
      if (mount === "qovery") numbers.initializeMs = round(performance.now() - t1);
      expect(client.getServerVersion()).toMatchObject({
        name: `${mount}-mcp`,
        version: expect.stringMatching(/\+container-1$/),
      });
      expect(transport.sessionId).toBeTruthy();
      const { tools } = await client.listTools();
      listed[mount] = tools.length;
      for (const t of tools) expect(t.inputSchema.type).toBe("object");
      await transport.terminateSession();
      await client.close();
    }
    numbers.toolsListed = listed;
    expect(listed.qovery).toBeGreaterThan(0);
    expect(listed.portainer).toBeGreaterThan(0);

    // Runs as 10001, and wrote nothing to the (read-only) root filesystem.
    expect(await docker("exec", names.gateway, "node", "-p", "process.getuid()")).toBe("10001");
    expect(await docker("diff", names.gateway)).toBe("");
    numbers.containerMemMiB = await docker("stats", "--no-stream", "--format", "{{.MemUsage}}", names.gateway);
  });

  it("docker stop (SIGTERM) exits 0 within 5 s; the logs hold neither the token nor the key", async () => {
    const t0 = performance.now();
    await docker("stop", "-t", "10", names.gateway);
    const seconds = (performance.now() - t0) / 1000;
    numbers.stopSeconds = round(seconds, 2);
    expect(await docker("inspect", "--format", "{{.State.ExitCode}}", names.gateway)).toBe("0");
    expect(seconds).toBeLessThan(5);
    const logs = await run("docker", ["logs", names.gateway]);
    const all = logs.stdout + logs.stderr;
    expect(all).toContain("gateway ready");
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(QOVERY_KEY);
  });

  it("single-server image (server.Dockerfile, SERVER=qovery-mcp) serves MCP at /mcp and REST, with appended flags", async () => {
    await docker(
      "build",
      "-q",
      "-f",
      join(repoRoot, "deploy/server.Dockerfile"),
      "--build-arg",
      `BASE_IMAGE=${base}`,
      "--build-arg",
      "SERVER=qovery-mcp",
      "-t",
      SERVER_TAG,
      repoRoot,
    );
    // --http --rest live in the entrypoint, so a flag the user appends adds to them (CMD would be replaced).
    expect(JSON.parse(await docker("image", "inspect", SERVER_TAG))[0].Config.Entrypoint).toEqual([
      "node",
      "/app/bin.cjs",
      "--http",
      "--rest",
    ]);
    const ports = await runContainer(names.server, SERVER_TAG, { MCP_HTTP_TOKEN: TOKEN, QOVERY_API_KEY: QOVERY_KEY }, [
      "--read-only",
    ]);
    await waitFor(
      "server healthy",
      async () => ((await health(names.server)).startsWith("healthy") ? true : undefined),
      30_000,
    );
    const { client, transport } = await mcpClient(`http://127.0.0.1:${ports.mcp}/mcp`);
    expect(client.getServerVersion()?.name).toBe("qovery-mcp");
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    // --read-only applied on top of the entrypoint's flags: only read-only tools are listed.
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    // --rest kept: the REST listener answers too.
    expect((await fetch(`http://127.0.0.1:${ports.rest}/healthz`)).status).toBe(200);
    await transport.terminateSession();
    await client.close();
    await docker("stop", "-t", "10", names.server);
    expect(await docker("inspect", "--format", "{{.State.ExitCode}}", names.server)).toBe("0");
  });
});
