import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { NetworkHandle } from "@infra-mcp/core/network";
import { daemonGate, INCUS_TEST_SOCKET, incusRequest, LOOPBACK_TEST_NETWORK, waitFor } from "@infra-mcp/core/testing";
import { incusVendor } from "incus-mcp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  type PortainerFront,
  startPortainerFront,
} from "../../../packages/portainer-mcp/test/fixtures/portainer-front.js";
import {
  API_KEY,
  DOCKER_SOCKET,
  gate as dockerGate,
  removeContainer,
  runContainer,
  uniq,
} from "../../../packages/portainer-mcp/test/helpers.js";
import { startGateway } from "../src/index.js";

/**
 * One REST route per vendor through the gateway's REST port, each against a real (or, for the
 * SaaS Qovery, a loopback) upstream, plus a raw websocket passthrough to a real container.
 */
const INCUS_SOCKET = INCUS_TEST_SOCKET;
const incusGate = daemonGate("Incus daemon", existsSync(INCUS_SOCKET));
// The Incus REST tests call this route: without it they fail (a skip here would count as a pass).
const incusRoutes = (incusVendor.routes ?? []).some((r) => r.path === "/v1/1-0/operations");
const QOVERY_KEY = "qov_FAKE_gateway_key_73f1";
const SETTINGS = { "deployment.termination_grace_period_seconds": 60, "network.ingress.proxy_body_size_mb": 100 };
const CONTAINER = `gw-rest-${uniq}`;
const CAT = `gw-cat-${uniq}`;

function incus<T = { operation?: string }>(method: string, path: string, body?: unknown): Promise<T> {
  return incusRequest<T>(method, path, body, INCUS_SOCKET);
}

async function waitOp(op: { operation?: string }): Promise<void> {
  if (op.operation) await incus("GET", `${op.operation}/wait?timeout=60`);
}

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
}

async function call(url: string, headers: Record<string, string> = {}, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, headers });
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe("gateway REST surface against the vendors' upstreams", () => {
  let net: NetworkHandle;
  let qovery: http.Server;
  let front: PortainerFront | undefined;
  const seen: Seen[] = [];

  beforeAll(async () => {
    // Qovery is a SaaS: a loopback stand-in answering the two calls these tests make.
    qovery = http.createServer((req, res) => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
      if (req.url === "/defaultContainerAdvancedSettings") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(SETTINGS));
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "Environment not found" }));
      }
    });
    await new Promise<void>((r) => qovery.listen(0, "127.0.0.1", r));
    const env: Record<string, string> = {
      QOVERY_API_URL: `http://127.0.0.1:${(qovery.address() as AddressInfo).port}`,
      QOVERY_API_KEY: QOVERY_KEY,
      INCUS_SOCKET,
    };
    if (!dockerGate.skip) {
      await runContainer(CONTAINER, ["sleep", "3600"]);
      await runContainer(CAT, ["cat"]);
      front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: "unused.jwt.value" });
      env.PORTAINER_URL = front.url;
      env.PORTAINER_API_KEY = API_KEY;
    }
    net = await startGateway({
      toolsets: ["all"],
      ...LOOPBACK_TEST_NETWORK,
      http: false,
      rest: true,
      env,
    });
  });
  afterAll(async () => {
    await net?.close();
    await front?.close();
    qovery?.close();
    if (!dockerGate.skip) await Promise.all([removeContainer(CONTAINER), removeContainer(CAT)]);
  });

  describe("qovery-mcp", () => {
    it("GET /v1/defaultcontaineradvancedsettings → the upstream JSON, token injected server-side", async () => {
      const r = await call(`${net.restUrl}/v1/defaultcontaineradvancedsettings`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(SETTINGS);
      const upstream = seen.at(-1)!;
      expect(upstream).toMatchObject({ method: "GET", url: "/defaultContainerAdvancedSettings" });
      expect(upstream.authorization).toBe(`Token ${QOVERY_KEY}`);
    });

    it("uses X-Qovery-Token for that request only", async () => {
      await call(`${net.restUrl}/v1/defaultcontaineradvancedsettings`, { "x-qovery-token": "qov_user_token_abc123" });
      expect(seen.at(-1)!.authorization).toBe("Token qov_user_token_abc123");
      await call(`${net.restUrl}/v1/defaultcontaineradvancedsettings`);
      expect(seen.at(-1)!.authorization).toBe(`Token ${QOVERY_KEY}`);
    });

    it("one user's X-Qovery-Token value never blanks another user's result", async () => {
      // A word that appears in everybody's results, sent as a token (the upstream takes anything).
      await call(`${net.restUrl}/v1/defaultcontaineradvancedsettings`, { "x-qovery-token": "termination" });
      const other = await call(`${net.restUrl}/v1/defaultcontaineradvancedsettings`);
      expect(other.body).toEqual(SETTINGS);
    });

    it("validates path arguments with the tool schema and maps upstream 404 to a 404 problem", async () => {
      const bad = await call(`${net.restUrl}/v1/environment/not-a-uuid/container/status`);
      expect(bad.status).toBe(400);
      expect(bad.type).toBe("application/problem+json");
      expect(bad.body.field).toBe("environmentId");
      const missing = await call(`${net.restUrl}/v1/environment/6f1d8c9e-2b3a-4c5d-8e7f-0a1b2c3d4e5f/container/status`);
      expect(missing.status).toBe(404);
      expect(missing.type).toBe("application/problem+json");
      expect(JSON.stringify(missing.body)).not.toContain(QOVERY_KEY);
    });
  });

  it("incus-mcp's tool table has the /v1/1-0/operations route the Incus REST tests call", () => {
    expect(incusRoutes).toBe(true);
  });

  describe.skipIf(incusGate.skip)("incus-mcp (real daemon on the unix socket)", () => {
    const INSTANCE = `gw-pt-${uniq}`;
    beforeAll(async () => {
      await waitOp(await incus("POST", "/1.0/instances", { name: INSTANCE, source: { type: "image", alias: "bb" } }));
      await waitOp(await incus("PUT", `/1.0/instances/${INSTANCE}/state`, { action: "start", timeout: 30 }));
    }, 90_000);
    afterAll(async () => {
      await waitOp(await incus("PUT", `/1.0/instances/${INSTANCE}/state`, { action: "stop", force: true }));
      await waitOp(await incus("DELETE", `/1.0/instances/${INSTANCE}`));
    }, 90_000);

    it("Upgrade on /v1/1-0/operations/{id}/websocket passes an exec's output fds through; control and stdin are refused", async () => {
      const op = await incus<{ metadata: { id: string; metadata: { fds: Record<string, string> } } }>(
        "POST",
        `/1.0/instances/${INSTANCE}/exec`,
        { command: ["sh", "-c", "echo gw-incus-$((6 * 7)); cat"], interactive: false, "wait-for-websocket": true },
      );
      const { id, metadata } = op.metadata;
      const viaGateway = (fd: string) =>
        `${net.restUrl!.replace("http", "ws")}/v1/1-0/operations/${id}/websocket?secret=${encodeURIComponent(metadata.fds[fd]!)}`;
      const open = (url: string, options?: WebSocket.ClientOptions) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, options);
          ws.once("open", () => resolve(ws));
          ws.once("error", reject);
          ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        });
      // The route is read-only (get-websocket-stream): the exec's own client holds stdin and control.
      for (const fd of ["0", "control"]) await expect(open(viaGateway(fd))).rejects.toThrow("HTTP 400");
      const direct = (fd: string) =>
        open(
          `ws+unix://${INCUS_SOCKET}:/1.0/operations/${id}/websocket?secret=${encodeURIComponent(metadata.fds[fd]!)}`,
        );
      const [stdin, control] = await Promise.all(["0", "control"].map(direct));
      const [stdout, stderr] = await Promise.all(["1", "2"].map((fd) => open(viaGateway(fd))));
      let out = "";
      stdout!.on("message", (d) => {
        out += d.toString();
      });
      const closed = new Promise<number>((resolve) => stdout!.once("close", (code) => resolve(code)));
      stdin!.send(Buffer.from("stdin direct\n"), { binary: true });
      stdin!.send("");
      expect(await closed).toBe(1006);
      expect(out).toBe("gw-incus-42\nstdin direct\n");
      for (const ws of [stdin, stderr, control]) ws!.close();
    }, 60_000);

    it("GET /v1/1-0/operations → 200 JSON from the daemon", async () => {
      const r = await call(`${net.restUrl}/v1/1-0/operations`);
      expect(r.status).toBe(200);
      expect(r.type).toBe("application/json");
      expect(typeof r.body).toBe("object");
    });

    it("GET /v1/1-0/operations/{id} for an unknown operation → 404 problem", async () => {
      const r = await call(`${net.restUrl}/v1/1-0/operations/00000000-0000-4000-8000-000000000000`);
      expect(r.status).toBe(404);
      expect(r.type).toBe("application/problem+json");
      // The daemon's 404, not the router's: the tool ran and the upstream answered.
      expect(r.body).toMatchObject({ tool: "get-operation-state", code: "UPSTREAM_HTTP" });
    });
  });

  describe.skipIf(dockerGate.skip)("portainer-mcp (Portainer front over the real Docker engine)", () => {
    it("a plain GET of /v1/websocket/exec runs nothing (405); POST runs the command one-shot", async () => {
      // The cross-site reproduction: an <img> pointing here must not touch the container.
      const marker = `/tmp/xsite-${process.pid}-${Date.now()}`;
      const q = new URLSearchParams({ endpointId: "1", containerId: CONTAINER });
      for (const arg of ["sh", "-c", `touch ${marker}`]) q.append("command", arg);
      const get = await call(`${net.restUrl}/v1/websocket/exec?${q}`);
      expect(get.status).toBe(405);
      expect(get.type).toBe("application/problem+json");
      const post = (command: string[]) =>
        call(
          `${net.restUrl}/v1/websocket/exec`,
          { "content-type": "application/json" },
          { method: "POST", body: JSON.stringify({ endpointId: 1, containerId: CONTAINER, command }) },
        );
      const probe = await post(["sh", "-c", `test -e ${marker} && echo present || echo absent`]);
      expect(probe.status).toBe(200);
      expect(probe.body).toMatchObject({ output: "absent\n", exitCode: 0 });
      const r = await post(["echo", "hello over rest"]);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ output: "hello over rest\n", exitCode: 0 });
    });

    it("Upgrade on /v1/websocket/exec is a raw passthrough to the container; the client never holds the key", async () => {
      const q = new URLSearchParams({ endpointId: "1", containerId: CONTAINER, command: "sh" });
      const ws = new WebSocket(`${net.restUrl!.replace("http", "ws")}/v1/websocket/exec?${q}`);
      let received = "";
      ws.on("message", (d) => {
        received += d.toString();
      });
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
      ws.send("echo through-the-bridge $((6 * 7))\n");
      ws.send("exit\n");
      const code = await closed;
      expect(received).toContain("through-the-bridge 42");
      // The front drops the socket without a close frame when the exec ends; the drop is mirrored.
      expect(code).toBe(1006);
      const upstream = front!.requests.filter((r) => r.websocket && r.path === "/api/websocket/exec").at(-1);
      expect(upstream?.auth).toBe("api-key-header");
      await waitFor(() => net.rest!.bridges.size === 0, { what: "the bridge to be dropped" });
    });

    it("Upgrade on /v1/websocket/attach reaches the container's main process (by name)", async () => {
      const q = new URLSearchParams({ endpointId: "1", id: CAT });
      const ws = new WebSocket(`${net.restUrl!.replace("http", "ws")}/v1/websocket/attach?${q}`);
      let received = "";
      const echoed = new Promise<void>((resolve) => {
        ws.on("message", (d) => {
          received += d.toString();
          if (received.includes("attach-ping")) resolve();
        });
      });
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      ws.send("attach-ping\n");
      await echoed;
      expect(received).toContain("attach-ping");
      ws.close(1000);
    });

    it("a refused upstream (unknown container) answers the Upgrade with its HTTP status", async () => {
      const q = new URLSearchParams({ endpointId: "1", containerId: "no-such-container-xyz", command: "sh" });
      const ws = new WebSocket(`${net.restUrl!.replace("http", "ws")}/v1/websocket/exec?${q}`);
      const status = await new Promise<number>((resolve) => {
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.once("open", () => resolve(101));
      });
      expect(status).toBe(404);
    });
  });
});
