/**
 * The lifecycle, deployment and log tools: every request contract-checked against
 * qovery-openapi.yaml, the 409 answer turned into a result, the `wait` that follows the status with
 * progress notifications until it settles, fails, times out or is cancelled, paging and bounds.
 */

import type { ConnectedClient } from "@infra-mcp/core/testing";
import { connectInMemory, textOf } from "@infra-mcp/core/testing";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { qoveryVendor, tools } from "../src/index.js";
import { IDS } from "./fixtures.js";
import { QoverySpec } from "./openapi.js";
import { FAKE_TOKEN, type Recorder, type Responder, startRecorder } from "./servers.js";

const spec = new QoverySpec();
const C = IDS.container;

const status = (state: string) => ({
  id: C,
  state,
  service_deployment_status: state === "DEPLOYED" ? "UP_TO_DATE" : "OUT_OF_DATE",
  status_details: { action: "DEPLOY", status: "ONGOING", sub_action: "NONE" },
  is_part_last_deployment: true,
  deployment_requests_count: 0,
  deployment_request_id: null,
});

const deployments = Array.from({ length: 20 }, (_, i) => ({
  id: `0000000${i % 10}-0000-4000-8000-0000000000${String(i).padStart(2, "0")}`,
  created_at: `2026-01-${String(1 + ((i * 7) % 20)).padStart(2, "0")}T10:00:00Z`,
  name: "web-api",
  status: i === 3 ? "DEPLOYMENT_ERROR" : "DEPLOYED",
  image_name: "acme/web-api",
  tag: `1.${i}.0`,
}));

const logs = Array.from({ length: 1000 }, (_, i) => ({
  id: `5a5a5a5a-0000-4000-8000-${String(i).padStart(12, "0")}`,
  created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  message: i === 999 ? `${"y".repeat(3000)}\n` : `line ${i}\n`,
  pod_name: "web-api-7d9f-a",
}));

/** Status answers in order; the last repeats. */
let states: string[] = ["DEPLOYED"];
const base: Responder = (req) => {
  const p = req.path.replace(`/container/${C}`, "");
  if (req.method === "GET" && p === "/status")
    return { status: 200, body: status(states.length > 1 ? (states.shift() as string) : (states[0] as string)) };
  if (req.method === "GET" && p === "")
    return {
      status: 200,
      body: {
        id: C,
        name: "web-api",
        image_name: "acme/web-api",
        tag: "1.4.2",
        cpu: 500,
        memory: 512,
        min_running_instances: 1,
        max_running_instances: 2,
        environment: { id: IDS.environment },
        ports: [{ internal_port: 8080, publicly_accessible: true }],
      },
    };
  if (req.method === "GET" && p === "/deploymentHistory")
    return { status: 200, body: { page: 1, page_size: 20, results: deployments } };
  if (req.method === "GET" && p === "/log") return { status: 200, body: { results: logs } };
  if (req.method === "POST") return { status: 202, body: status(p === "/stop" ? "STOP_QUEUED" : "DEPLOYMENT_QUEUED") };
  return { status: 404, body: {} };
};

let rec: Recorder;
let mcp: ConnectedClient;
beforeAll(async () => {
  rec = await startRecorder(base);
  mcp = await connectInMemory(qoveryVendor, {
    toolsets: ["all"],
    env: { QOVERY_API_KEY: FAKE_TOKEN, QOVERY_API_URL: rec.url, QOVERY_WAIT_POLL_MS: "10" },
  });
});
afterAll(async () => {
  await mcp.close();
  await rec.close();
});
afterEach(() => {
  rec.requests.length = 0;
  rec.respond = base;
  states = ["DEPLOYED"];
});

const CALLS: {
  tool: string;
  args: Record<string, unknown>;
  operationId: string;
  method: string;
  path: string;
  body?: unknown;
}[] = [
  {
    tool: "get-container",
    args: { containerId: C },
    operationId: "getContainer",
    method: "GET",
    path: `/container/${C}`,
  },
  {
    tool: "get-container-status",
    args: { containerId: C },
    operationId: "getContainerStatus",
    method: "GET",
    path: `/container/${C}/status`,
  },
  {
    tool: "list-container-deployments",
    args: { containerId: C },
    operationId: "listContainerDeploymentHistory",
    method: "GET",
    path: `/container/${C}/deploymentHistory`,
  },
  {
    tool: "get-container-logs",
    args: { containerId: C },
    operationId: "listContainerLog",
    method: "GET",
    path: `/container/${C}/log`,
  },
  {
    tool: "deploy-container",
    args: { containerId: C, image_tag: "1.4.3" },
    operationId: "deployContainer",
    method: "POST",
    path: `/container/${C}/deploy`,
    body: { image_tag: "1.4.3" },
  },
  {
    tool: "redeploy-container",
    args: { containerId: C },
    operationId: "redeployContainer",
    method: "POST",
    path: `/container/${C}/redeploy`,
  },
  {
    tool: "restart-container",
    args: { containerId: C },
    operationId: "rebootContainer",
    method: "POST",
    path: `/container/${C}/restart-service`,
  },
  {
    tool: "stop-container",
    args: { containerId: C },
    operationId: "stopContainer",
    method: "POST",
    path: `/container/${C}/stop`,
  },
];

describe("every request conforms to qovery-openapi.yaml", () => {
  for (const c of CALLS) {
    it(`${c.tool} → ${c.operationId}`, async () => {
      const r = await mcp.call(c.tool, c.args);
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(rec.requests).toHaveLength(1);
      const [req] = rec.requests;
      expect(`${req?.method} ${req?.path}`).toBe(`${c.method} ${c.path}`);
      const checked = spec.check(req as never);
      expect(checked.problems).toEqual([]);
      expect(checked.operationId).toBe(c.operationId);
      expect(req?.headers.authorization).toBe(`Token ${FAKE_TOKEN}`);
      expect(req?.query).toEqual({});
      expect(req?.body).toEqual(c.body);
    });
  }

  it("deploy-container without image_tag is refused naming the field, before any request", async () => {
    const r = await mcp.call("deploy-container", { containerId: C });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/image_tag/);
    expect(rec.requests).toEqual([]);
  });
});

describe("hints and confirmations say what a call may do", () => {
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  it("reads are read-only; stop and restart (and deploy, which replaces the running version) are destructive", () => {
    for (const n of [
      "get-container",
      "get-container-status",
      "list-container-deployments",
      "get-container-logs",
      "get-service-logs",
    ]) {
      expect(byName[n]?.annotations, n).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
    expect(byName["stop-container"]?.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(byName["restart-container"]?.annotations).toMatchObject({ destructiveHint: true, idempotentHint: false });
    expect(byName["deploy-container"]?.annotations).toMatchObject({ destructiveHint: true, idempotentHint: false });
    // A rolling redeploy replaces every running instance (reviewed under "could it end anything?").
    expect(byName["redeploy-container"]?.annotations).toMatchObject({ destructiveHint: true, idempotentHint: false });
    expect(byName["open-container-shell"]?.annotations).toMatchObject({ destructiveHint: true });
  });
  it("every destructive new tool has a confirm line", () => {
    expect(byName["stop-container"]?.confirm?.({ containerId: C, wait: 0 })).toBe(
      `stop container ${C}: the service goes down until redeployed`,
    );
    expect(byName["deploy-container"]?.confirm?.({ containerId: C, image_tag: "2.0", wait: 0 })).toMatch(
      /deploy tag 2\.0/,
    );
    expect(byName["restart-container"]?.confirm?.({ containerId: C, wait: 0 })).toMatch(/restart every pod/);
    expect(byName["open-container-shell"]?.confirm?.({ containerId: C, command: ["rm", "-rf", "/tmp/x"] })).toBe(
      `run \`rm -rf /tmp/x\` in container ${C}`,
    );
  });
});

describe("409: an operation in progress is a clear result, not a failure", () => {
  it("deploy while another deployment runs: started:false with the current state", async () => {
    rec.respond = (req) =>
      req.method === "POST" ? { status: 409, body: { message: "Operation is in progress" } } : base(req);
    states = ["DEPLOYING"];
    const r = await mcp.call("deploy-container", { containerId: C, image_tag: "1.4.3", wait: 60 });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toMatch(
      /^Not started: Qovery answered 409 to the deploy of tag 1\.4\.3: an operation is in progress \(state DEPLOYING\)/,
    );
    expect(r.structuredContent).toMatchObject({ started: false, conflict: true, status: { state: "DEPLOYING" } });
    // No wait after a refused start.
    expect(rec.requests.map((q) => q.method)).toEqual(["POST", "GET"]);
  });

  it("stop on a stopped container: says it is already stopped", async () => {
    rec.respond = (req) => (req.method === "POST" ? { status: 409, body: {} } : base(req));
    states = ["STOPPED"];
    const r = await mcp.call("stop-container", { containerId: C });
    expect(textOf(r)).toMatch(/^Not started: .*the container is already stopped\. Now: .* STOPPED/);
  });

  it("a 404 is still an error naming the id", async () => {
    rec.respond = () => ({ status: 404, body: { message: "not found" } });
    const r = await mcp.call("restart-container", { containerId: C });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/HTTP 404.*No container with this containerId/);
  });
});

describe("wait: the status is followed with progress notifications", () => {
  async function callWithProgress(name: string, args: Record<string, unknown>, signal?: AbortSignal) {
    const progress: { progress: number; message?: string | undefined }[] = [];
    const result = (await mcp.client.callTool({ name, arguments: args }, undefined, {
      onprogress: (p) => progress.push(p),
      ...(signal ? { signal } : {}),
    })) as CallToolResult;
    return { result, progress };
  }

  it("until the deployment settles", async () => {
    states = ["DEPLOYMENT_QUEUED", "DEPLOYING", "DEPLOYING", "DEPLOYED"];
    const { result, progress } = await callWithProgress("deploy-container", {
      containerId: C,
      image_tag: "1.4.3",
      wait: 60,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toMatch(/^Requested deploy of tag 1\.4\.3; settled after \d+ s: .* DEPLOYED \(UP_TO_DATE\)/);
    expect(result.structuredContent).toMatchObject({ started: true, outcome: "settled", polls: 4 });
    expect(progress.map((p) => p.message?.split(" ")[0])).toEqual([
      "DEPLOYMENT_QUEUED",
      "DEPLOYING",
      "DEPLOYING",
      "DEPLOYED",
    ]);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3, 4]);
    for (const req of rec.requests) expect(spec.check(req).problems).toEqual([]);
  });

  it("a deployment that ends in an error state is reported as a failure", async () => {
    states = ["DEPLOYING", "DEPLOYMENT_ERROR"];
    const { result } = await callWithProgress("redeploy-container", { containerId: C, wait: 60 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/it FAILED after \d+ s: .* DEPLOYMENT_ERROR/);
  });

  it("a settled state seen before any in-progress one only counts after a few polls", async () => {
    // The status still shows the old DEPLOYED for a moment after the 202.
    rec.respond = (req) => (req.method === "POST" ? { status: 202, body: status("DEPLOYED") } : base(req));
    states = ["DEPLOYED", "RESTARTING", "RESTARTED"];
    const { result } = await callWithProgress("restart-container", { containerId: C, wait: 60 });
    expect(result.structuredContent).toMatchObject({ outcome: "settled", polls: 3, status: { state: "RESTARTED" } });
  });

  it("times out with the last state, saying the deployment continues", async () => {
    states = ["DEPLOYING"];
    const { result } = await callWithProgress("stop-container", { containerId: C, wait: 1 });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(
      /^Requested stop; still not settled after 1 s \(it continues on Qovery\): .* DEPLOYING/,
    );
    expect(result.structuredContent).toMatchObject({ outcome: "timeout" });
  });

  it("a cancelled call stops polling", async () => {
    states = ["DEPLOYING"];
    const aborter = new AbortController();
    const call = callWithProgress("deploy-container", { containerId: C, image_tag: "9", wait: 600 }, aborter.signal);
    await expect.poll(() => rec.requests.length).toBeGreaterThan(3);
    aborter.abort();
    await expect(call).rejects.toThrow();
    // A second wait, on another container, is the clock: it polls on the same 10 ms interval in the
    // same process, so while it makes eleven polls a first loop still running would poll too. None
    // of the first container's requests may come between the second wait's first and last poll.
    // The second container has its own states: a poll of the first one sent just before the cancel
    // can still reach the recorder after it, and must not take one of them.
    const D = "7e2d3c4b-5a6b-4c7d-9e8f-1a2b3c4d5e6f";
    const clockStates = [...Array.from({ length: 10 }, () => "DEPLOYING"), "DEPLOYED"];
    rec.respond = (req) => {
      if (!req.path.includes(D)) return base(req);
      if (req.method === "GET" && req.path.endsWith("/status"))
        return {
          status: 200,
          body: { ...status(clockStates.length > 1 ? (clockStates.shift() as string) : "DEPLOYED"), id: D },
        };
      return base({ ...req, path: req.path.replace(`/container/${D}`, `/container/${C}`) });
    };
    const clock = await callWithProgress("deploy-container", { containerId: D, image_tag: "9", wait: 600 });
    expect(clock.result.structuredContent).toMatchObject({ outcome: "settled", polls: 11 });
    const paths = rec.requests.map((r) => r.path);
    const first = paths.indexOf(`/container/${D}/status`);
    const last = paths.lastIndexOf(`/container/${D}/status`);
    expect(last - first).toBe(10);
    expect(paths.slice(first, last + 1).filter((p) => p.includes(C))).toEqual([]);
  });
});

describe("reads", () => {
  it("get-container: one line with image, resources, environment and ports", async () => {
    const r = await mcp.call("get-container", { containerId: C });
    expect(textOf(r)).toBe(
      `web-api (${C}) acme/web-api:1.4.2 500m/512MB x1-2\nenvironment ${IDS.environment}; ports 8080 public`,
    );
  });

  it("list-container-deployments: newest first, paged", async () => {
    const first = await mcp.call("list-container-deployments", { containerId: C, limit: 5 });
    const s = first.structuredContent as { results: { created_at: string }[]; total: number; nextOffset: number };
    const sorted = [...deployments]
      .map((d) => d.created_at)
      .sort()
      .reverse();
    expect(s.results.map((d) => d.created_at)).toEqual(sorted.slice(0, 5));
    expect(s).toMatchObject({ total: 20, nextOffset: 5 });
    expect(textOf(first).split("\n").at(-1)).toBe("5 of 20 deployments shown (from offset 0); offset=5 for more");
    const last = await mcp.call("list-container-deployments", { containerId: C, limit: 5, offset: 15 });
    expect((last.structuredContent as { results: { created_at: string }[] }).results.map((d) => d.created_at)).toEqual(
      sorted.slice(15),
    );
    expect(textOf(last)).toMatch(/last page$/);
  });

  it("get-container-logs: the last lines, oldest first, long messages cut", async () => {
    const r = await mcp.call("get-container-logs", { containerId: C, lines: 3 });
    const lines = textOf(r).split("\n");
    expect(lines[0]).toBe("last 3 of 1000 lines (raise lines for older ones):");
    expect(lines[1]).toBe(`${logs[997]?.created_at} web-api-7d9f-a line 997`);
    expect(lines[3]).toMatch(/ y{2000}… \[1000 chars cut\]$/);
    expect((r.structuredContent as { results: unknown[] }).results).toHaveLength(3);
  });
});
