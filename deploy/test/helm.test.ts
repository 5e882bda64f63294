/**
 * The Helm chart deploy/helm/infra-mcp, rendered by the real helm (built from its Go module by
 * scripts/helm.sh) with `helm template`, each document validated against the Kubernetes API schemas
 * (kubernetes-models), plus what a schema cannot see: the hardening, the probes, where each
 * credential comes from, the OAuth settings, the replica / affinity modes, the optional objects.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { gatewayBin, repoRoot, run } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: walking parsed YAML documents
type Obj = Record<string, any>;

const chart = join(repoRoot, "deploy/helm/infra-mcp");
const models: Record<string, new (data: Obj) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "networking.k8s.io/v1/Ingress": Ingress,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/Secret": Secret,
  "v1/Service": Service,
};

let helm = "";
let envDocs = "";

async function render(sets: string[] = [], extra: string[] = []): Promise<Obj[]> {
  const args = ["template", "rel", chart, "--namespace", "mcp", ...sets.flatMap((s) => ["--set", s]), ...extra];
  const { stdout } = await run(helm, args, { maxBuffer: 16 * 1024 * 1024 });
  const docs: Obj[] = [];
  for (const d of parseAllDocuments(stdout)) {
    if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join("; "));
    const doc = d.toJS() as Obj | null;
    if (doc) docs.push(doc);
  }
  return docs;
}

async function renderError(sets: string[], extra: string[] = []): Promise<string> {
  try {
    await render(sets, extra);
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  throw new Error(`helm template accepted ${sets.join(" ")}`);
}

const kinds = (docs: Obj[]) => docs.map((d) => d.kind).sort();
const one = (docs: Obj[], kind: string): Obj => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const container = (docs: Obj[]) => one(docs, "Deployment").spec.template.spec.containers[0];
const envOf = (docs: Obj[]): Obj => Object.fromEntries((container(docs).env as Obj[]).map((e) => [e.name, e]));

describe("Helm chart (deploy/helm/infra-mcp)", () => {
  beforeAll(async () => {
    // Builds helm on first use (minutes, once; ./dev test has built it before the suites run).
    helm = (await run("bash", [join(repoRoot, "scripts/helm.sh"), "path"], { timeout: 1_800_000 })).stdout.trim();
    const gateway = await run(process.execPath, [gatewayBin, "--help"]);
    envDocs = gateway.stdout;
    for (const s of ["portainer-mcp", "incus-mcp", "qovery-mcp"]) {
      envDocs += (await run(process.execPath, [join(repoRoot, "packages", s, "bin.cjs"), "--help"])).stdout;
    }
  }, 1_900_000);

  it("helm lint --strict passes", async () => {
    const { stdout } = await run(helm, ["lint", "--strict", chart]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("default values: the gateway, every document valid against the Kubernetes schema of its kind", async () => {
    const docs = await render();
    expect(kinds(docs)).toEqual(["Deployment", "Secret", "Service"]);
    for (const doc of docs) {
      const Model = models[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, doc.kind).toBeDefined();
      expect(() => new Model!(doc).validate(), doc.kind).not.toThrow();
    }
    const broken = structuredClone(one(docs, "Deployment"));
    broken.spec.replicas = "one";
    expect(() => new Deployment(broken).validate()).toThrow(/replicas/);
  });

  it("hardened pod: non-root, read-only root, no privilege escalation, all capabilities dropped", async () => {
    const docs = await render();
    const pod = one(docs, "Deployment").spec.template.spec;
    const c = container(docs);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    // The only writable path is an emptyDir on /tmp.
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes[0].emptyDir).toMatchObject({ medium: "Memory" });
    // Same user as the images.
    for (const file of ["deploy/Dockerfile", "deploy/server.Dockerfile"]) {
      expect(readFileSync(join(repoRoot, file), "utf8")).toMatch(/^USER 10001:10001$/m);
    }
    for (const r of ["cpu", "memory"]) {
      expect(c.resources.requests[r], r).toBeTruthy();
      expect(c.resources.limits[r], r).toBeTruthy();
    }
  });

  it("readiness, liveness and startup probes on /healthz of the MCP port", async () => {
    const c = container(await render());
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      expect(c[probe].httpGet, probe).toMatchObject({ path: "/healthz", port: "mcp" });
    }
    expect(c.ports.map((p: Obj) => [p.name, p.containerPort])).toEqual([
      ["mcp", 9090],
      ["rest", 8080],
    ]);
  });

  it("gateway: MCP and REST; a chosen server gets --http --rest", async () => {
    const gw = container(await render());
    expect(gw.command).toEqual(["node", "/app/bin.js"]);
    expect(gw.args ?? []).toEqual([]); // the gateway serves MCP and REST unless told --no-rest/--no-http
    const q = await render(["server=qovery-mcp", "image.repository=qovery-mcp"]);
    expect(container(q).command).toEqual(["node", "/app/bin.cjs"]);
    expect(container(q).args).toEqual(["--http", "--rest"]);
    expect(container(q).image).toBe("qovery-mcp:0.1.0");
    // A single server gets only its own vendor's variables.
    expect(Object.keys(envOf(q)).filter((n) => /^(PORTAINER|INCUS|QOVERY)_/.test(n))).toEqual(["QOVERY_API_KEY"]);
    expect(await renderError(["server=kubernetes-mcp"])).toMatch(/server must be one of gateway, portainer-mcp/);
  });

  it("credentials from the chart's Secret: env only from its keys, the bearer token mandatory", async () => {
    const docs = await render(["credentials.qoveryApiKey=qov_from-values", "credentials.portainerUrl=https://p:9443"]);
    const secret = one(docs, "Secret");
    const env = envOf(docs);
    expect(secret.metadata.name).toBe("rel-infra-mcp");
    expect(secret.stringData["qovery-api-key"]).toBe("qov_from-values");
    expect(secret.stringData["mcp-http-token"]).toMatch(/^[A-Za-z0-9]{48}$/); // generated
    expect(env.MCP_HTTP_TOKEN.valueFrom.secretKeyRef).toEqual({ name: "rel-infra-mcp", key: "mcp-http-token" });
    for (const e of Object.values(env)) {
      // NODE_OPTIONS is Node's own (the heap ceiling under the memory limit).
      if (e.name !== "NODE_OPTIONS")
        expect(envDocs, `${e.name} is not a variable the servers document`).toContain(e.name);
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && e.name !== "MCP_HTTP_TOKEN") expect(ref.optional, e.name).toBe(true);
    }
    // No secret value is written into the Deployment itself.
    expect(JSON.stringify(one(docs, "Deployment"))).not.toContain("qov_from-values");
  });

  it("existingSecret: no Secret rendered, every reference names it", async () => {
    const docs = await render(["existingSecret=team-credentials", "incusTls.enabled=true"]);
    expect(kinds(docs)).toEqual(["Deployment", "Service"]);
    const refs = Object.values(envOf(docs))
      .map((e) => e.valueFrom?.secretKeyRef?.name)
      .filter(Boolean);
    expect(refs.length).toBeGreaterThan(3);
    expect(new Set(refs)).toEqual(new Set(["team-credentials"]));
    const pki = one(docs, "Deployment").spec.template.spec.volumes.find((v: Obj) => v.name === "incus-pki");
    expect(pki.secret.secretName).toBe("team-credentials");
    expect(envOf(docs).INCUS_CLIENT_CERT.value).toBe("/etc/infra-mcp/incus/client.crt");
  });

  it("OAuth settings become the MCP_OAUTH_* variables and replace the bearer token", async () => {
    const docs = await render([
      "oauth.issuer=https://id.example.com/realms/team",
      "oauth.audience=https://mcp.example.com",
      "oauth.jwksUrl=https://id.example.com/jwks",
      "oauth.readScope=infra:read",
      "oauth.writeScope=infra:write",
      "oauth.publicUrl=https://mcp.example.com",
    ]);
    const env = envOf(docs);
    expect(env.MCP_OAUTH_ISSUER.value).toBe("https://id.example.com/realms/team");
    expect(env.MCP_OAUTH_AUDIENCE.value).toBe("https://mcp.example.com");
    expect(env.MCP_OAUTH_JWKS_URL.value).toBe("https://id.example.com/jwks");
    expect(env.MCP_OAUTH_READ_SCOPE.value).toBe("infra:read");
    expect(env.MCP_OAUTH_WRITE_SCOPE.value).toBe("infra:write");
    expect(env.MCP_PUBLIC_URL.value).toBe("https://mcp.example.com");
    expect(env.MCP_HTTP_TOKEN).toBeUndefined(); // the servers refuse both
    expect(one(docs, "Secret").stringData?.["mcp-http-token"]).toBeUndefined();
    expect(await renderError(["oauth.issuer=https://id.example.com", "credentials.mcpHttpToken=t0ken-abc"])).toMatch(
      /exclude each other/,
    );
  });

  it("replicas: stateful ones keep sessions on a pod (Service ClientIP, session-id Ingress hash, PDB)", async () => {
    const docs = await render(["replicaCount=3", "ingress.enabled=true", "ingress.tlsSecretName=tls"]);
    expect(kinds(docs)).toEqual(["Deployment", "Ingress", "PodDisruptionBudget", "Secret", "Service"]);
    for (const kind of ["Ingress", "PodDisruptionBudget"]) {
      const doc = one(docs, kind);
      expect(() => new models[`${doc.apiVersion}/${doc.kind}`]!(doc).validate(), kind).not.toThrow();
    }
    expect(one(docs, "Deployment").spec.replicas).toBe(3);
    expect(one(docs, "Service").spec.sessionAffinity).toBe("ClientIP");
    expect(envOf(docs).MCP_SESSION_ID_HEADER.value).toBe("x-request-id");
    const ing = one(docs, "Ingress");
    // The same key deploy/k8s/ingress.yaml uses and deploy/test/scale-out.test.ts proves with nginx.
    const k8sIngress = readFileSync(join(repoRoot, "deploy/k8s/ingress.yaml"), "utf8");
    expect(k8sIngress).toContain('upstream-hash-by: "$mcp_route_key"');
    expect(ing.metadata.annotations["nginx.ingress.kubernetes.io/upstream-hash-by"]).toBe("$mcp_route_key");
    expect(ing.metadata.annotations["nginx.ingress.kubernetes.io/proxy-buffering"]).toBe("off");
    const paths = ing.spec.rules[0].http.paths.map((p: Obj) => p.path).sort();
    expect(paths).toEqual(["/incus/mcp", "/portainer/mcp", "/qovery/mcp"]);
    // Selectors match the pods.
    const podLabels = one(docs, "Deployment").spec.template.metadata.labels;
    for (const sel of [
      one(docs, "Service").spec.selector,
      one(docs, "PodDisruptionBudget").spec.selector.matchLabels,
    ]) {
      for (const [k, v] of Object.entries(sel)) expect(podLabels[k]).toBe(v);
    }
  });

  it("stateless replicas: --stateless, no affinity, no session-id header", async () => {
    const docs = await render(["stateless=true", "replicaCount=3", "ingress.enabled=true"]);
    expect(container(docs).args).toEqual(["--stateless"]);
    expect(one(docs, "Service").spec.sessionAffinity).toBe("None");
    expect(envOf(docs).MCP_SESSION_ID_HEADER).toBeUndefined();
    expect(one(docs, "Ingress").metadata.annotations["nginx.ingress.kubernetes.io/upstream-hash-by"]).toBeUndefined();
  });

  it("hostNetwork (clusters without a pod network): the ports and bind address follow the values", async () => {
    expect(one(await render(), "Deployment").spec.template.spec.hostNetwork).toBeUndefined();
    const docs = await render([
      "hostNetwork=true",
      "ports.mcp=29190",
      "ports.rest=29180",
      "http.bindAddress=127.0.0.1",
    ]);
    expect(one(docs, "Deployment").spec.template.spec.hostNetwork).toBe(true);
    expect(container(docs).ports.map((p: Obj) => [p.name, p.containerPort])).toEqual([
      ["mcp", 29190],
      ["rest", 29180],
    ]);
    const env = envOf(docs);
    expect([env.MCP_HTTP_HOST.value, env.MCP_HTTP_PORT.value, env.MCP_REST_PORT.value]).toEqual([
      "127.0.0.1",
      "29190",
      "29180",
    ]);
    // The Service still names the ports, so it follows them.
    expect(one(docs, "Service").spec.ports.map((p: Obj) => p.targetPort)).toEqual(["mcp", "rest"]);
  });

  it("NetworkPolicy (optional): the two ports, from the given peers; egress only when given", async () => {
    expect(kinds(await render())).not.toContain("NetworkPolicy");
    const docs = await render([
      "networkPolicy.enabled=true",
      "networkPolicy.from[0].namespaceSelector.matchLabels.team=infra",
    ]);
    const np = one(docs, "NetworkPolicy");
    expect(() => new NetworkPolicy(np).validate()).not.toThrow();
    expect(np.spec.policyTypes).toEqual(["Ingress"]);
    expect(np.spec.ingress[0].ports.map((p: Obj) => p.port)).toEqual(["mcp", "rest"]);
    expect(np.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { team: "infra" } } }]);
    for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) {
      expect(one(docs, "Deployment").spec.template.metadata.labels[k]).toBe(v);
    }
    const withEgress = await render(["networkPolicy.enabled=true", "networkPolicy.egress[0].ports[0].port=443"]);
    expect(one(withEgress, "NetworkPolicy").spec.policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("NetworkPolicy with metrics: the metrics port too, from the same peers", async () => {
    const docs = await render([
      "networkPolicy.enabled=true",
      "networkPolicy.from[0].namespaceSelector.matchLabels.team=monitoring",
      "metrics.enabled=true",
    ]);
    const np = one(docs, "NetworkPolicy");
    expect(() => new NetworkPolicy(np).validate()).not.toThrow();
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].ports.map((p: Obj) => p.port)).toEqual(["mcp", "rest", "metrics"]);
    expect(np.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { team: "monitoring" } } }]);
  });

  it("metrics: off by default; on, MCP_METRICS_PORT on all addresses, a `metrics` container and Service port", async () => {
    const off = await render();
    expect(Object.keys(envOf(off)).filter((n) => n.startsWith("MCP_METRICS_"))).toEqual([]);
    expect(one(off, "Service").spec.ports.map((p: Obj) => p.name)).toEqual(["mcp", "rest"]);

    const docs = await render(["metrics.enabled=true"]);
    const env = envOf(docs);
    expect(env.MCP_METRICS_PORT.value).toBe("9464");
    // Loopback (the servers' default) would be unreachable from the Service.
    expect(env.MCP_METRICS_HOST.value).toBe("0.0.0.0");
    expect(container(docs).ports.map((p: Obj) => [p.name, p.containerPort])).toEqual([
      ["mcp", 9090],
      ["rest", 8080],
      ["metrics", 9464],
    ]);
    const svc = one(docs, "Service");
    expect(() => new Service(svc).validate()).not.toThrow();
    expect(svc.spec.ports.find((p: Obj) => p.name === "metrics")).toEqual({
      name: "metrics",
      port: 9464,
      targetPort: "metrics",
      protocol: "TCP",
    });
    // The probes stay on the MCP port; no Ingress path reaches /metrics.
    expect(container(docs).readinessProbe.httpGet.port).toBe("mcp");
    const ing = one(await render(["metrics.enabled=true", "ingress.enabled=true"]), "Ingress");
    for (const p of ing.spec.rules[0].http.paths) expect(p.backend.service.port).toEqual({ name: "mcp" });

    // Another port, and hostNetwork on loopback: the bind follows http.bindAddress unless given.
    const host = envOf(
      await render(["metrics.enabled=true", "metrics.port=29464", "hostNetwork=true", "http.bindAddress=127.0.0.1"]),
    );
    expect([host.MCP_METRICS_PORT.value, host.MCP_METRICS_HOST.value]).toEqual(["29464", "127.0.0.1"]);
    const bound = envOf(await render(["metrics.enabled=true", "metrics.bindAddress=10.0.0.7"]));
    expect(bound.MCP_METRICS_HOST.value).toBe("10.0.0.7");
    expect(await renderError(["metrics.enabled=true", "metrics.port=9090"])).toMatch(/metrics\.port 9090/);
    // The variables are the servers' own (their --help documents them).
    for (const name of ["MCP_METRICS_PORT", "MCP_METRICS_HOST"]) expect(envDocs).toContain(name);
  });

  it("audit: off by default; on, MCP_AUDIT_LOG=stderr (never a file on the read-only root); reads on request", async () => {
    expect(Object.keys(envOf(await render())).filter((n) => n.startsWith("MCP_AUDIT_"))).toEqual([]);
    const writes = envOf(await render(["audit.enabled=true"]));
    expect(writes.MCP_AUDIT_LOG.value).toBe("stderr");
    expect(writes.MCP_AUDIT_READS).toBeUndefined();
    const reads = envOf(await render(["audit.enabled=true", "audit.reads=true"]));
    expect(reads.MCP_AUDIT_LOG.value).toBe("stderr");
    expect(reads.MCP_AUDIT_READS.value).toBe("1");
    // reads alone is not an audit log.
    expect(envOf(await render(["audit.reads=true"])).MCP_AUDIT_READS).toBeUndefined();
    for (const name of ["MCP_AUDIT_LOG", "MCP_AUDIT_READS"]) expect(envDocs).toContain(name);
  });

  it("tracing: off without an endpoint; with one, the OTLP endpoint, protocol and a service name", async () => {
    expect(Object.keys(envOf(await render())).filter((n) => n.startsWith("OTEL_"))).toEqual([]);
    const env = envOf(await render(["tracing.endpoint=http://otel-collector.observability.svc:4318"]));
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT.value).toBe("http://otel-collector.observability.svc:4318");
    expect(env.OTEL_EXPORTER_OTLP_PROTOCOL.value).toBe("http/protobuf");
    expect(env.OTEL_SERVICE_NAME.value).toBe("rel-infra-mcp");
    const json = envOf(
      await render([
        "server=incus-mcp",
        "tracing.endpoint=http://jaeger:4318",
        "tracing.protocol=http/json",
        "tracing.serviceName=incus-prod",
      ]),
    );
    expect(json.OTEL_EXPORTER_OTLP_PROTOCOL.value).toBe("http/json");
    expect(json.OTEL_SERVICE_NAME.value).toBe("incus-prod");
    // The servers accept only these two (OTLP over HTTP); grpc would stop them at start.
    expect(await renderError(["tracing.endpoint=http://otel:4317", "tracing.protocol=grpc"])).toMatch(
      /tracing\.protocol must be http\/protobuf or http\/json/,
    );
    for (const name of ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME"]) {
      expect(envDocs).toContain(name);
    }
  });

  it("ServiceMonitor: off by default, scrapes the `metrics` port, refused without metrics or the Operator's API", async () => {
    expect(kinds(await render())).not.toContain("ServiceMonitor");
    const api = ["--api-versions", "monitoring.coreos.com/v1"];
    expect(await renderError(["serviceMonitor.enabled=true", "metrics.enabled=true"])).toMatch(
      /monitoring\.coreos\.com\/v1/,
    );
    // Without metrics.enabled it would scrape a port that serves no /metrics.
    expect(await renderError(["serviceMonitor.enabled=true"], api)).toMatch(
      /serviceMonitor\.enabled needs metrics\.enabled/,
    );
    const docs = await render(["serviceMonitor.enabled=true", "metrics.enabled=true"], api);
    const sm = one(docs, "ServiceMonitor");
    expect(sm.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s" }]);
    // The port it names exists on the Service it selects.
    const svc = one(docs, "Service");
    expect(svc.spec.ports.map((p: Obj) => p.name)).toContain("metrics");
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svc.metadata.labels[k]).toBe(v);
  });
});
