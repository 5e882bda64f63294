#!/usr/bin/env node
// Installs the chart onto a real Kubernetes cluster and calls the gateway through its Service:
// builds the gateway image (deploy/Dockerfile on the local base image), imports it into the
// cluster's containerd, `helm install --wait`, then `kubectl port-forward svc/…` and an MCP client
// over Streamable HTTP: tools/list, and one tool call answered by a Qovery stand-in on loopback;
// the release has metrics on, and GET /metrics through the Service's `metrics` port counts that call.
// Uninstalls and deletes its namespace at the end, pass or fail.
//
//   node deploy/helm/install-check.mjs        after `pnpm build`, with a cluster up
//
// Environment (defaults: the one-node cluster of scripts/setup-kubernetes.sh):
//   KUBECONFIG           /var/lib/infra-mcp-k8s/admin.kubeconfig
//   KUBECTL              kubectl on PATH, else ~/.cache/infra-mcp/k8s/bin-*/kubectl
//   CONTAINERD_ADDRESS   /run/infra-mcp-k8s/containerd/containerd.sock (ctr imports the image there)
//   CHECK_HOST_NETWORK   1 (default): the pod uses the node's network on free loopback ports, for a
//                        cluster without a pod network; 0 for a cluster with one
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, waitFor as waitUntil } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const root = resolve(import.meta.dirname, "../..");
const chart = join(root, "deploy/helm/infra-mcp");
const env = process.env;
const kubeconfig = env.KUBECONFIG || "/var/lib/infra-mcp-k8s/admin.kubeconfig";
const containerd = env.CONTAINERD_ADDRESS || "/run/infra-mcp-k8s/containerd/containerd.sock";
const hostNetwork = (env.CHECK_HOST_NETWORK ?? "1") !== "0";
const version = JSON.parse(readFileSync(join(root, "apps/gateway/package.json"), "utf8")).version;
const suffix = `${process.pid}`;
const ns = `install-check-${suffix}`;
const release = "mcp";
const image = `infra-mcp-gateway:${version}-check`;
const qoveryKey = `qov_install_check_${suffix}_key`;

const results = [];
const log = (msg) => process.stderr.write(`[install-check] ${msg}\n`);

function kubectlBin() {
  if (env.KUBECTL) return env.KUBECTL;
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return "kubectl";
  } catch {
    const dir = join(homedir(), ".cache/infra-mcp/k8s");
    const found = existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith("bin-")) : [];
    if (!found.length) throw new Error("no kubectl: set KUBECTL");
    return join(dir, found.sort().at(-1), "kubectl");
  }
}

const kubectl = kubectlBin();
const sh = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
    env: { ...env, KUBECONFIG: kubeconfig },
  });
const k = (...args) => sh(kubectl, ["-n", ns, ...args]);

function check(name, ok, detail = "") {
  results.push(ok);
  log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
}

/** Until `probe` gives a value; while the release starts, a probe that throws is "not yet". */
const waitFor = (what, probe, timeoutMs) => waitUntil(probe, { what, timeoutMs, intervalMs: 200, retryErrors: true });

/** A loopback stand-in for the Qovery API answering the one route the check calls. */
async function fakeQovery() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    if (req.method === "GET" && req.url === "/defaultContainerAdvancedSettings") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ "deployment.termination_grace_period_seconds": 60 }));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"message":"not found"}');
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => server.close() };
}

async function main() {
  const helm = sh("bash", [join(root, "scripts/helm.sh"), "path"]).trim();
  const work = mkdtempSync(join(tmpdir(), "install-check-"));
  const upstream = await fakeQovery();
  let forward;
  try {
    // 1. The image, as deploy/ makes it (no registry: the local base image), into containerd.
    const base = sh("bash", [join(root, "scripts/build-base-image.sh")])
      .trim()
      .split("\n")
      .at(-1);
    sh("docker", ["build", "-q", "-f", "deploy/Dockerfile", "--build-arg", `BASE_IMAGE=${base}`, "-t", image, "."], {
      cwd: root,
    });
    const tar = join(work, "image.tar");
    sh("docker", ["save", "-o", tar, image]);
    sh("ctr", ["--address", containerd, "-n", "k8s.io", "images", "import", tar]);
    check("image built and imported into the cluster's containerd", true, image);

    // 2. helm install, waiting for the pod to be Ready (readiness probe on /healthz).
    const [mcpPort, restPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const sets = [
      `image.repository=${image.split(":")[0]}`,
      `image.tag=${image.split(":")[1]}`,
      "image.pullPolicy=Never",
      "metrics.enabled=true",
      "audit.enabled=true",
      "audit.reads=true",
      `credentials.qoveryApiKey=${qoveryKey}`,
      "extraEnv[0].name=QOVERY_API_URL",
      `extraEnv[0].value=${upstream.url}`,
      ...(hostNetwork
        ? [
            "hostNetwork=true",
            `ports.mcp=${mcpPort}`,
            `ports.rest=${restPort}`,
            `metrics.port=${metricsPort}`,
            "http.bindAddress=127.0.0.1",
          ]
        : []),
    ];
    const t0 = Date.now();
    sh(helm, [
      "install",
      release,
      chart,
      "--namespace",
      ns,
      "--create-namespace",
      "--wait",
      "--timeout",
      "5m",
      ...sets.flatMap((s) => ["--set", s]),
    ]);
    check("helm install --wait", true, `${((Date.now() - t0) / 1000).toFixed(1)} s to a Ready pod`);

    const pod = JSON.parse(k("get", "pods", "-l", "app.kubernetes.io/instance=mcp", "-o", "json")).items[0];
    const c = pod.spec.containers[0];
    check(
      "the running pod is hardened as the chart says",
      pod.spec.securityContext.runAsNonRoot === true &&
        c.securityContext.readOnlyRootFilesystem === true &&
        c.securityContext.allowPrivilegeEscalation === false &&
        c.securityContext.capabilities.drop.includes("ALL") &&
        pod.status.containerStatuses[0].ready === true,
      `${pod.metadata.name}, ready=${pod.status.containerStatuses[0].ready}`,
    );

    // 3. Through the Service: kubectl port-forward svc/… picks a pod the Service selects, and
    // forwards the Service's MCP port and its metrics port (found by name) to it.
    const svc = `${release}-infra-mcp`;
    const service = JSON.parse(k("get", "service", svc, "-o", "json"));
    const metricsServicePort = service.spec.ports.find((p) => p.name === "metrics")?.port;
    check("the Service has a metrics port", metricsServicePort !== undefined, String(metricsServicePort));
    const [local, localMetrics] = [await freePort(), await freePort()];
    const forwards = [`${local}:9090`, ...(metricsServicePort ? [`${localMetrics}:${metricsServicePort}`] : [])];
    forward = spawn(kubectl, ["-n", ns, "port-forward", `svc/${svc}`, ...forwards], {
      env: { ...env, KUBECONFIG: kubeconfig },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let forwardOut = "";
    forward.stdout.on("data", (d) => {
      forwardOut += d;
    });
    forward.stderr.on("data", (d) => {
      forwardOut += d;
    });
    await waitFor(
      "port-forward",
      async () =>
        forwards.every((f) => forwardOut.includes(`Forwarding from 127.0.0.1:${f.split(":")[0]} `)) ? true : undefined,
      30_000,
    );
    const token = Buffer.from(k("get", "secret", svc, "-o", "jsonpath={.data.mcp-http-token}"), "base64").toString();
    const health = await fetch(`http://127.0.0.1:${local}/healthz`);
    check("GET /healthz through the Service", health.ok, `${health.status} ${await health.text()}`);
    const unauth = await fetch(`http://127.0.0.1:${local}/qovery/mcp`, { method: "POST" });
    check("no bearer token → 401", unauth.status === 401, String(unauth.status));

    const client = new Client({ name: "install-check", version: "0.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${local}/qovery/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const { tools } = await client.listTools();
      check("tools/list through the Service", tools.length > 0, `${tools.length} tools on /qovery/mcp`);
      const version = client.getServerVersion()?.version ?? "";
      check("served by the pod", version.endsWith(`+${pod.metadata.name}`), version);
      const result = await client.callTool({ name: "list-default-container-advanced-settings", arguments: {} });
      const text = JSON.stringify(result);
      check(
        "a tool call reaches the upstream with the key from the chart's Secret",
        !result.isError && text.includes("termination_grace_period_seconds") && !text.includes(qoveryKey),
        `upstream saw ${upstream.seen.length} request(s), auth ${upstream.seen[0]?.auth === `Token ${qoveryKey}` ? "= the Secret's key" : "missing"}`,
      );
      check(
        "the upstream got the Secret's key",
        upstream.seen.some((r) => r.auth === `Token ${qoveryKey}`),
      );
    } finally {
      await client.close();
    }
    // The metrics listener: no token, Prometheus text, the call above counted.
    const metricsUrl = `http://127.0.0.1:${localMetrics}/metrics`;
    const callLine = (text) =>
      text
        .split("\n")
        .find(
          (l) =>
            l.startsWith("mcp_tool_calls_total{") &&
            l.includes('tool="list-default-container-advanced-settings"') &&
            l.includes('outcome="ok"'),
        );
    let scraped = { status: 0, text: "" };
    // The counter is bumped as the call ends; wait (bounded) rather than assume it already is.
    const called = await waitFor(
      "the tool call in /metrics",
      async () => {
        scraped = await fetch(metricsUrl).then(async (r) => ({ status: r.status, text: await r.text() }));
        return callLine(scraped.text);
      },
      15_000,
    ).catch(() => undefined);
    check(
      "GET /metrics through the Service's metrics port counts the tool call",
      scraped.status === 200 && called !== undefined && Number(called.split(" ").at(-1)) >= 1,
      called ?? `${scraped.status}, no mcp_tool_calls_total line for the call`,
    );
    check(
      "/metrics holds neither the token nor the key",
      scraped.status === 200 && !scraped.text.includes(token) && !scraped.text.includes(qoveryKey),
    );
    const logs = k("logs", pod.metadata.name);
    check("the pod's logs hold neither the token nor the key", !logs.includes(token) && !logs.includes(qoveryKey));
    // The audit log on stderr (audit.reads: the call above is read-only): its lines, taken out of
    // the pod's log as NOTES.txt says, are one intact chain holding the call's intent and outcome.
    const auditLines = logs.split("\n").filter((l) => l.startsWith('{"time":'));
    const events = auditLines
      .map((l) => JSON.parse(l))
      .filter((r) => r.tool === "list-default-container-advanced-settings")
      .map((r) => `${r.event}${r.outcome ? `:${r.outcome}` : ""}`);
    check(
      "the audit log on the pod's stderr records the call",
      events.includes("intent") && events.includes("outcome:ok"),
      `${auditLines.length} audit line(s); the call: ${events.join(", ") || "none"}`,
    );
    const auditFile = join(work, "audit.log");
    writeFileSync(auditFile, `${auditLines.join("\n")}\n`);
    let verified;
    try {
      verified = {
        ok: true,
        out: sh(process.execPath, [join(root, "apps/gateway/bin.js"), "audit", "verify", auditFile]),
      };
    } catch (error) {
      verified = { ok: false, out: `${error.stdout ?? ""}${error.stderr ?? error.message}` };
    }
    check("audit verify: the chain taken from the pod's log is intact", verified.ok, verified.out.trim());
  } finally {
    forward?.kill();
    upstream.close();
    try {
      sh(helm, ["uninstall", release, "--namespace", ns, "--wait", "--timeout", "2m"]);
    } catch (error) {
      log(`helm uninstall: ${error.message}`);
    }
    try {
      sh(kubectl, ["delete", "namespace", ns, "--wait=false"]);
    } catch (error) {
      log(`delete namespace: ${error.message}`);
    }
    for (const [cmd, args] of [
      ["ctr", ["--address", containerd, "-n", "k8s.io", "images", "rm", `docker.io/library/${image}`]],
      ["docker", ["rmi", image]],
    ]) {
      try {
        sh(cmd, args, { stdio: "ignore" });
      } catch {
        // not there (the build failed before it)
      }
    }
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  results.push(false);
  log(`FAIL ${error.stack ?? error}`);
}
const failed = results.filter((ok) => !ok).length;
process.stdout.write(`install-check: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
