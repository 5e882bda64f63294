/**
 * Contract tests: every tool's real outgoing request, captured by a loopback server, validated
 * against Qovery's OpenAPI file (operation, path ids, query, auth header, body schema, no unknown
 * body fields). Runs the tools in memory with the SDK client; no network beyond 127.0.0.1.
 */
import type { ConnectedClient } from "@infra-mcp/core/testing";
import { connectInMemory, textOf } from "@infra-mcp/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { qoveryVendor } from "../src/index.js";
import { CALLS, FULL_CREATE, IDS, MINIMAL_CREATE } from "./fixtures.js";
import { QoverySpec } from "./openapi.js";
import { FAKE_TOKEN, type Recorder, startRecorder } from "./servers.js";

const spec = new QoverySpec();

const CONTAINER = {
  id: IDS.container,
  created_at: "2026-01-01T00:00:00Z",
  name: "web-api",
  image_name: "acme/web-api",
  tag: "1.4.2",
  cpu: 750,
  memory: 1024,
  min_running_instances: 1,
  max_running_instances: 3,
};
const STATUS = { id: IDS.container, state: "DEPLOYED", service_deployment_status: "UP_TO_DATE" };

function answer(req: { method: string; path: string }) {
  if (req.path.endsWith("/status")) return { status: 200, body: { results: [STATUS] } };
  if (req.path === "/defaultContainerAdvancedSettings") {
    return {
      status: 200,
      body: { "deployment.termination_grace_period_seconds": 60, "hpa.cpu.average_utilization_percent": 60 },
    };
  }
  if (req.method === "GET") return { status: 200, body: { results: [CONTAINER] } };
  if (req.path.endsWith("/deploy") || req.path.endsWith("/preview")) return { status: 202, body: STATUS };
  return { status: req.path.endsWith("/clone") ? 202 : 201, body: CONTAINER };
}

let rec: Recorder;
let mcp: ConnectedClient;

beforeAll(async () => {
  rec = await startRecorder(answer);
  mcp = await connectInMemory(qoveryVendor, {
    toolsets: ["all"],
    env: { QOVERY_API_KEY: FAKE_TOKEN, QOVERY_API_URL: rec.url },
  });
});
afterAll(async () => {
  await mcp.close();
  await rec.close();
});
afterEach(() => {
  rec.requests.length = 0;
  rec.respond = answer;
});

describe("the validator is not vacuous", () => {
  const base = {
    method: "POST",
    path: `/environment/${IDS.environment}/container`,
    query: {},
    headers: { authorization: "Token abc", "content-type": "application/json" },
  };
  it("accepts a body that follows ContainerRequest", () => {
    const { environmentId: _, ...body } = MINIMAL_CREATE;
    expect(spec.check({ ...base, body }).problems).toEqual([]);
  });
  it("refuses a missing required field, a wrong enum, a bad uuid path, an unknown field and a foreign auth", () => {
    const { environmentId: _, tag: __, ...body } = MINIMAL_CREATE;
    const bad = { ...body, storage: [{ type: "SLOW_HDD", size: 10, mount_point: "/x" }], registryId: "x" };
    const { problems } = spec.check({
      ...base,
      path: "/environment/not-a-uuid/container",
      headers: { authorization: "Basic abc", "content-type": "application/json" },
      body: bad,
    });
    const all = problems.join("\n");
    expect(all).toMatch(/must have required property 'tag'/);
    expect(all).toMatch(/storage\/0\/type must be equal to one of the allowed values/);
    expect(all).toMatch(/path environmentId: .*must match format "uuid"/);
    expect(all).toMatch(/field the spec does not define: \.registryId/);
    expect(all).toMatch(/security schemes/);
  });
  it("refuses a probe with a non-integer port deep inside healthchecks (allOf + nullable resolved)", () => {
    const { environmentId: _, ...body } = MINIMAL_CREATE;
    const bad = { ...body, healthchecks: { liveness_probe: { type: { tcp: { port: "80" } } } } };
    expect(spec.check({ ...base, body: bad }).problems.join("\n")).toMatch(
      /liveness_probe\/type\/tcp\/port must be integer/,
    );
  });
});

describe("create-container's listing names every ContainerRequest field of the spec", () => {
  type Listed = { properties?: Record<string, Listed>; required?: string[]; description?: string };
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  it("each field is a listed property or named in its nested body's one-line listing, optional marked `?`", async () => {
    const listed = (await mcp.client.listTools()).tools.find((t) => t.name === "create-container");
    const schema = listed?.inputSchema as Listed;
    const fields = spec.fieldPaths(spec.schema("ContainerRequest"));
    expect(fields.length).toBeGreaterThan(60);
    const unnamed: string[] = [];
    for (const { path, required } of fields) {
      const segments = path.filter((p) => p !== "[]");
      let node: Listed | undefined = schema;
      let i = 0;
      while (i < segments.length && node?.properties?.[segments[i] as string]) {
        node = node.properties[segments[i] as string];
        i++;
      }
      if (i === segments.length) continue;
      // Listed compactly: the rest of the path is named in the nearest listed ancestor's line.
      const line = node?.description ?? "";
      const leaf = escapeRegExp(segments[segments.length - 1] as string);
      for (const s of segments.slice(i))
        if (!new RegExp(`\\b${escapeRegExp(s)}\\b`).test(line)) unnamed.push(path.join("."));
      // What Qovery requires is never shown optional, unless the tool fills it: `type? (FAST_SSD)`.
      if (required && !new RegExp(`\\b${leaf}(?!\\?)\\b|\\b${leaf}\\? \\(`).test(line)) {
        unnamed.push(`${path.join(".")} shown optional`);
      }
    }
    expect(unnamed).toEqual([]);
    const topRequired = fields.filter((f) => f.path.length === 1 && f.required).map((f) => f.path[0]);
    expect(schema.required?.filter((r) => r !== "environmentId").sort()).toEqual(topRequired.sort());
  });
});

describe("every tool's request conforms to qovery-openapi.yaml", () => {
  for (const c of CALLS) {
    it(`${c.tool} → ${c.operationId}`, async () => {
      const result = await mcp.call(c.tool, c.args);
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(rec.requests.length).toBeGreaterThan(0);
      for (const req of rec.requests) {
        const { problems } = spec.check(req);
        expect(problems, `${req.method} ${req.path}`).toEqual([]);
        expect(req.headers.authorization).toBe(`Token ${FAKE_TOKEN}`);
        expect(req.query).toEqual({});
      }
      const first = rec.requests[0];
      expect(first?.method).toBe(c.method);
      expect(first?.path).toBe(c.path);
      expect(spec.check(first as never).operationId).toBe(c.operationId);
      expect(result.structuredContent).toBeTypeOf("object");
    });
  }

  it("create-container sends the full ContainerRequest (storage, ports, both probes, autoscaling) unchanged", async () => {
    const result = await mcp.call("create-container", FULL_CREATE);
    expect(result.isError, textOf(result)).toBeFalsy();
    const [req] = rec.requests;
    const { environmentId: _, ...body } = FULL_CREATE;
    expect(req?.body).toEqual(body);
    expect(spec.check(req as never).problems).toEqual([]);
    expect(textOf(result)).toBe(`Created: web-api (${IDS.container}) acme/web-api:1.4.2 not deployed 750m/1024MB x1-3`);
  });

  it("create-container fills the storage type default (FAST_SSD) and sends only given fields", async () => {
    await mcp.call("create-container", { ...MINIMAL_CREATE, storage: [{ size: 4, mount_point: "/data" }] });
    const [req] = rec.requests;
    const { environmentId: _, ...body } = MINIMAL_CREATE;
    expect(req?.body).toEqual({ ...body, storage: [{ type: "FAST_SSD", size: 4, mount_point: "/data" }] });
    expect(spec.check(req as never).problems).toEqual([]);
  });

  it("clone, deploy and preview send exactly the spec's bodies", async () => {
    for (const c of CALLS.filter((x) => x.method === "POST" && x.tool !== "create-container")) {
      rec.requests.length = 0;
      await mcp.call(c.tool, c.args);
      const pathIds = ["containerId", "organizationId"];
      const expected = Object.fromEntries(Object.entries(c.args).filter(([k]) => !pathIds.includes(k)));
      expect(rec.requests[0]?.body).toEqual(expected);
    }
  });

  it("an OIDC JWT is sent as Bearer, which the spec's bearerAuth accepts", async () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLWZha2U";
    const other = await connectInMemory(qoveryVendor, {
      toolsets: ["all"],
      env: { QOVERY_API_KEY: jwt, QOVERY_API_URL: rec.url },
    });
    try {
      await other.call("list-all-environment-container-statuses", { environmentId: IDS.environment });
      const [req] = rec.requests;
      expect(req?.headers.authorization).toBe(`Bearer ${jwt}`);
      expect(spec.check(req as never).problems).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe("invalid arguments are refused before any request, naming the field", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["list-containers", { environmentId: "../../organization" }, /environmentId/],
    ["list-all-container-registry-container", { organizationId: IDS.organization }, /containerRegistryId/],
    ["clone-container", { containerId: IDS.container, name: "x", environment_id: "prod" }, /environment_id/],
    ["create-container", { ...MINIMAL_CREATE, healthchecks: undefined }, /healthchecks/],
    ["create-container", { ...MINIMAL_CREATE, storage: [{ size: 2, mount_point: "/d" }] }, /storage\[0\]\.size/],
    [
      "create-container",
      { ...MINIMAL_CREATE, ports: [{ internal_port: 70000, publicly_accessible: true }] },
      /ports\[0\]\.internal_port/,
    ],
    [
      "create-container",
      { ...MINIMAL_CREATE, ports: [{ internal_port: 80, publicly_accessible: true, protocol: "SCTP" }] },
      /ports\[0\]\.protocol/,
    ],
    [
      "create-container",
      { ...MINIMAL_CREATE, healthchecks: { liveness_probe: { type: { tcp: { port: 80 }, http: { port: 80 } } } } },
      /exactly one of tcp, http, exec, grpc at healthchecks\.liveness_probe\.type/,
    ],
    ["create-container", { ...MINIMAL_CREATE, cpu_architecture: "X86" }, /cpu_architecture/],
    ["auto-deploy-containers", { organizationId: IDS.organization, image_name: "acme/web-api" }, /tag/],
  ];
  for (const [tool, args, field] of cases) {
    it(`${tool}: ${field.source}`, async () => {
      const result = await mcp.call(tool, args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(field);
      expect(rec.requests).toEqual([]);
    });
  }
});

describe("Qovery's error answers are explained", () => {
  it("409 on create says the name is taken; 409 on clone says an operation is in progress", async () => {
    rec.respond = () => ({ status: 409, body: { message: "conflict" } });
    const created = await mcp.call("create-container", MINIMAL_CREATE);
    expect(created.isError).toBe(true);
    expect(textOf(created)).toMatch(/HTTP 409.*already exists in the environment/);
    const cloned = await mcp.call("clone-container", CALLS[0]?.args);
    expect(textOf(cloned)).toMatch(/HTTP 409.*operation is in progress/);
  });

  it("422 shows Qovery's validation message, redacting a token the upstream echoed", async () => {
    rec.respond = (req) => ({
      status: 422,
      body: {
        status: 422,
        error: "Unprocessable Entity",
        message: `ports[0].internal_port is already used (auth ${req.headers.authorization})`,
      },
    });
    const result = await mcp.call("create-container", MINIMAL_CREATE);
    const text = textOf(result);
    expect(result.isError).toBe(true);
    expect(text).toMatch(/HTTP 422.*ports\[0\]\.internal_port is already used/);
    expect(text).toContain("[REDACTED]");
    expect(text).not.toContain(FAKE_TOKEN);
  });

  it("401 says the token was rejected without echoing it", async () => {
    rec.respond = () => ({ status: 401, body: { message: "Invalid token" } });
    const text = textOf(await mcp.call("list-containers", { environmentId: IDS.environment }));
    expect(text).toMatch(/HTTP 401.*rejected the token in QOVERY_API_KEY/);
    expect(text).not.toContain(FAKE_TOKEN);
  });
});
