/**
 * deploy/k8s/*.yaml against the Kubernetes API schemas (the npm package kubernetes-models: ajv
 * validators generated from the Kubernetes OpenAPI spec), plus the cross-references a schema
 * cannot see (selectors, port names, Secret keys, env names the servers read, the Dockerfile's
 * user and ports, the affinity key). No cluster is available here: nothing is applied.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { gatewayBin, repoRoot, run } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: walking parsed YAML documents
type Obj = Record<string, any>;

const k8sDir = join(repoRoot, "deploy/k8s");
const models: Record<string, new (data: Obj) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "networking.k8s.io/v1/Ingress": Ingress,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
};

function load(): { file: string; doc: Obj }[] {
  const out: { file: string; doc: Obj }[] = [];
  for (const file of readdirSync(k8sDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    for (const d of parseAllDocuments(readFileSync(join(k8sDir, file), "utf8"))) {
      if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join("; ")}`);
      const doc = d.toJS() as Obj | null;
      if (doc) out.push({ file, doc });
    }
  }
  return out;
}

function validate(doc: Obj): void {
  const Model = models[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
}

describe("Kubernetes manifests (deploy/k8s)", () => {
  const docs = load();
  const one = (kind: string) => {
    const found = docs.filter((d) => d.doc.kind === kind);
    expect(found, kind).toHaveLength(1);
    return found[0]!.doc;
  };
  let envDocs = "";

  beforeAll(async () => {
    // The variables the servers read, as their --help lists them (core's list + each vendor's).
    const gateway = await run(process.execPath, [gatewayBin, "--help"]);
    const server = await run(process.execPath, [join(repoRoot, "packages/qovery-mcp/bin.cjs"), "--help"]);
    envDocs = gateway.stdout + server.stdout;
  });

  it("every document validates against the Kubernetes schema of its kind", () => {
    expect(docs.map((d) => `${d.file}:${d.doc.kind}`)).toEqual([
      "deployment.yaml:Deployment",
      "ingress-nginx-configmap.yaml:ConfigMap",
      "ingress.yaml:Ingress",
      "poddisruptionbudget.yaml:PodDisruptionBudget",
      "secret.yaml:Secret",
      "service.yaml:Service",
    ]);
    for (const { file, doc } of docs) expect(() => validate(doc), file).not.toThrow();
  });

  it("the validator rejects a broken manifest (it is not a no-op)", () => {
    const broken = structuredClone(one("Deployment"));
    broken.spec.replicas = "three";
    delete broken.spec.template.spec.containers[0].name;
    expect(() => validate(broken)).toThrow(/replicas must be integer[\s\S]*required property name/);
    const badPort = structuredClone(one("Service"));
    badPort.spec.ports[0].port = "mcp";
    expect(() => validate(badPort)).toThrow(/port/);
  });

  it("Deployment: hardened pod, probes on /healthz, limits, and the image's user and ports", () => {
    const dep = one("Deployment");
    const pod = dep.spec.template.spec;
    const [c] = pod.containers;
    expect(dep.spec.selector.matchLabels).toEqual(
      Object.fromEntries(
        Object.keys(dep.spec.selector.matchLabels).map((k) => [k, dep.spec.template.metadata.labels[k]]),
      ),
    );
    expect(dep.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    for (const r of ["cpu", "memory"]) {
      expect(c.resources.requests[r], r).toBeTruthy();
      expect(c.resources.limits[r], r).toBeTruthy();
    }
    const portNames = c.ports.map((p: Obj) => p.name);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      expect(c[probe].httpGet.path, probe).toBe("/healthz");
      expect(portNames, probe).toContain(c[probe].httpGet.port);
    }
    // The only writable path is an emptyDir on /tmp.
    const tmp = c.volumeMounts.find((m: Obj) => m.mountPath === "/tmp");
    expect(pod.volumes.find((v: Obj) => v.name === tmp.name).emptyDir).toBeTruthy();
    // Same user and ports as deploy/Dockerfile.
    const dockerfile = readFileSync(join(repoRoot, "deploy/Dockerfile"), "utf8");
    const [uid, gid] = /^USER (\d+):(\d+)$/m.exec(dockerfile)!.slice(1).map(Number);
    expect(pod.securityContext.runAsUser).toBe(uid);
    expect(pod.securityContext.runAsGroup).toBe(gid);
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)![1]!.split(/\s+/).map(Number).sort();
    expect(c.ports.map((p: Obj) => p.containerPort).sort()).toEqual(exposed);
    expect(dockerfile).toMatch(/MCP_HTTP_PORT=9090/);
    expect(c.ports.find((p: Obj) => p.name === "mcp").containerPort).toBe(9090);
  });

  it("Deployment env: only variables the servers read, secrets from the Secret's own keys", () => {
    const c = one("Deployment").spec.template.spec.containers[0];
    const secret = one("Secret");
    const keys = Object.keys(secret.stringData ?? secret.data);
    for (const e of c.env as Obj[]) {
      if (e.name !== "NODE_OPTIONS")
        expect(envDocs, `${e.name} is not a variable the servers document`).toContain(e.name);
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        expect(ref.name).toBe(secret.metadata.name);
        expect(keys).toContain(ref.key);
      }
    }
    const env = Object.fromEntries((c.env as Obj[]).map((e) => [e.name, e]));
    expect(env.MCP_HTTP_TOKEN.valueFrom.secretKeyRef.optional).toBeUndefined(); // mandatory off loopback
    expect(env.MCP_INSTANCE_ID.valueFrom.fieldRef.fieldPath).toBe("metadata.name");
    expect(env.MCP_SESSION_ID_HEADER.value).toBe("x-request-id");
    const pki = one("Deployment").spec.template.spec.volumes.find((v: Obj) => v.secret);
    expect(pki.secret.secretName).toBe(secret.metadata.name);
    for (const item of pki.secret.items) expect(keys).toContain(item.key);
  });

  it("Service and Ingress point at the pods, the gateway's three MCP mounts, with session-id affinity", () => {
    const dep = one("Deployment");
    const svc = one("Service");
    const ing = one("Ingress");
    const cm = one("ConfigMap");
    const podLabels = dep.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
    const containerPorts = dep.spec.template.spec.containers[0].ports.map((p: Obj) => p.name);
    for (const p of svc.spec.ports) expect(containerPorts).toContain(p.targetPort);
    const pdb = one("PodDisruptionBudget");
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);

    const paths = ing.spec.rules.flatMap((r: Obj) => r.http.paths);
    expect(paths.map((p: Obj) => p.path).sort()).toEqual(["/incus/mcp", "/portainer/mcp", "/qovery/mcp"]);
    for (const p of paths) {
      expect(p.backend.service.name).toBe(svc.metadata.name);
      expect(svc.spec.ports.map((sp: Obj) => sp.name)).toContain(p.backend.service.port.name);
    }
    const a = ing.metadata.annotations;
    expect(a["nginx.ingress.kubernetes.io/upstream-hash-by"]).toBe("$mcp_route_key");
    expect(a["nginx.ingress.kubernetes.io/proxy-buffering"]).toBe("off");
    // The key is defined for the controller: the session id's routing prefix, else the request id
    // sent upstream (which the pod puts in front of the session id it generates).
    const snippet = cm.data["http-snippet"] as string;
    expect(snippet).toMatch(/map \$http_mcp_session_id \$mcp_route_key \{/);
    expect(snippet).toContain('"~^(?<mcp_route>[0-9A-Za-z_~-]+)[.]" $mcp_route;');
    expect(snippet).toMatch(/default \$http_mcp_session_id;/);
    expect(snippet).toMatch(/"" +\$req_id;/);
  });
});
