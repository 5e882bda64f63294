import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ConnectedClient, connectInMemory, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, docker, gate, JWT, removeContainer, uniq } from "./helpers.js";

// Issue 25 on the real Docker engine through the Portainer front: environment values masked by
// default, a dry run that changes nothing, strict arguments, confirmation by policy.
const ENVY = `safer-env-${uniq}`;
const SECRET = `hunter2-${uniq}`;

type Structured = Record<string, unknown>;

async function status(name: string): Promise<string> {
  const r = await docker<{ State: { Status: string } }>("GET", `/containers/${name}/json`);
  return r.data.State.Status;
}

describe.skipIf(gate.skip)("safer answers on the real engine (issue 25)", () => {
  let front: PortainerFront;
  let masked: ConnectedClient;
  let shown: ConnectedClient;
  let id: string;
  const env = () => ({ PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY });

  beforeAll(async () => {
    await removeContainer(ENVY);
    const created = await docker<{ Id: string }>("POST", `/containers/create?name=${ENVY}`, {
      Image: "busybox:local",
      Cmd: ["sleep", "3600"],
      Env: [`DB_PASSWORD=${SECRET}`, "BARE_NAME"],
      HostConfig: { NetworkMode: "none" },
    });
    id = created.data.Id;
    expect((await docker("POST", `/containers/${id}/start`)).status).toBe(204);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    masked = await connectInMemory(portainerVendor, { env: env() });
    shown = await connectInMemory(portainerVendor, { env: env(), showEnvValues: true });
  });
  afterAll(async () => {
    await masked?.close();
    await shown?.close();
    await front?.close();
    await removeContainer(ENVY);
  });

  it("inspect-container masks Config.Env values by default, names kept", async () => {
    const r = await masked.call("inspect-container", { endpointId: 1, containerId: ENVY });
    expect(r.isError).toBeFalsy();
    const config = (r.structuredContent as Structured).Config as { Env: string[] };
    expect(config.Env).toContain("DB_PASSWORD=<masked>");
    expect(config.Env).toContain("BARE_NAME");
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it("--show-env-values shows them", async () => {
    const r = await shown.call("inspect-container", { endpointId: 1, containerId: ENVY });
    const config = (r.structuredContent as Structured).Config as { Env: string[] };
    expect(config.Env).toContain(`DB_PASSWORD=${SECRET}`);
  });

  it("a dry run of stop-container reads the state, sends nothing and leaves the container running", async () => {
    const before = front.requests.length;
    const r = await masked.call("stop-container", { endpointId: 1, containerId: ENVY, timeout: 10, dryRun: true });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toContain(`stop-container ${ENVY}: running → exited`);
    expect(textOf(r)).toContain(`would send POST /api/endpoints/1/docker/containers/${ENVY}/stop?t=10`);
    expect(r.structuredContent).toMatchObject({
      dryRun: true,
      wouldSend: [{ method: "POST", path: `/api/endpoints/1/docker/containers/${ENVY}/stop?t=10` }],
    });
    expect(front.requests.slice(before).map((q) => q.method)).toEqual(["GET"]);
    expect(await status(ENVY)).toBe("running");
  });

  it("a dry run of an exec shows the exec it would create (env masked) and runs nothing", async () => {
    const before = front.requests.length;
    const r = await masked.call("execute-websocket", {
      endpointId: 1,
      containerId: ENVY,
      command: ["sh", "-c", "kill 1"],
      env: [`TOKEN=${SECRET}`],
      dryRun: true,
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(textOf(r)).toMatch(/would send POST \/api\/endpoints\/1\/docker\/containers\/[^/]+\/exec/);
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(JSON.stringify(r)).toContain("TOKEN=<masked>");
    expect(front.requests.slice(before).filter((q) => q.method !== "GET")).toEqual([]);
    expect(await status(ENVY)).toBe("running");
  });

  it("an unknown argument is refused, naming it, and nothing is done", async () => {
    const r = await masked.call("kill-container", { endpointId: 1, containerId: ENVY, dryrun: true });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("dryrun");
    expect(await status(ENVY)).toBe("running");
  });

  it("--confirm writes: a client that cannot be asked gets a refusal; a dry run needs no answer", async () => {
    const strict = await connectInMemory(portainerVendor, { env: env(), confirm: "writes" });
    try {
      const refused = await strict.call("start-container", { endpointId: 1, containerId: ENVY });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain("(--confirm writes)");
      const dry = await strict.call("start-container", { endpointId: 1, containerId: ENVY, dryRun: true });
      expect(dry.isError).toBeFalsy();
      expect(textOf(dry)).toContain(`start-container ${ENVY}: running → running (no change)`);
      // reads are never asked about
      expect((await strict.call("inspect-container", { endpointId: 1, containerId: ENVY })).isError).toBeFalsy();
    } finally {
      await strict.close();
    }
  });
});

/**
 * An upstream that counts requests and answers no write: `hang` keeps the request open forever,
 * `drop` closes the connection once the request has arrived.
 */
async function countingUpstream(mode: "hang" | "drop") {
  const writes: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === "GET" || req.method === "HEAD") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"message":"not here"}');
      return;
    }
    writes.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => {
      if (mode === "drop") req.socket.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    writes,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe("a write whose answer never comes (issue 25)", () => {
  for (const mode of ["hang", "drop"] as const) {
    it(`${mode}: says it may have been applied, names inspect-container, sends it exactly once`, async () => {
      const up = await countingUpstream(mode);
      const mcp = await connectInMemory(portainerVendor, {
        env: { PORTAINER_URL: up.url, PORTAINER_API_KEY: API_KEY, PORTAINER_TIMEOUT_MS: "300" },
      });
      try {
        const r = await mcp.call("start-container", { endpointId: 1, containerId: "web" });
        expect(r.isError).toBe(true);
        expect(textOf(r)).toContain("may have been applied");
        expect(textOf(r)).toContain("not retried");
        expect(textOf(r)).toContain("Check with inspect-container");
        expect(up.writes).toEqual(["POST /api/endpoints/1/docker/containers/web/start"]);
      } finally {
        await mcp.close();
        await up.close();
      }
    });
  }
});
