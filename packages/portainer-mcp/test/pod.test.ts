import { type NetworkHandle, serveNetwork } from "@infra-mcp/core/network";
import {
  type ConnectedClient,
  connectInMemory,
  LOOPBACK_TEST_NETWORK,
  sessionReadOf,
  textOf,
} from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { checkPodCommand } from "../src/bridges.js";
import { portainerVendor } from "../src/index.js";
import { wrapPodCommand } from "../src/pod-exec.js";
import { createPod, deletePod, getPod, kube, waitFor, waitPodReady } from "./fixtures/kube.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, JWT, uniq } from "./helpers.js";
import { cluster, k8sGate } from "./k8s-gate.js";

// The real one-node cluster of scripts/setup-kubernetes.sh behind the front's environment 2.
const id = uniq.replace(/[^a-z0-9-]/g, "").slice(-12);
const POD = `pmcp-pod-${id}`;
const CRASH = `pmcp-crash-${id}`;
const TWO = `pmcp-two-${id}`;
const LABEL = `pmcp-${id}`;

type Structured = Record<string, unknown>;

describe("pod command splitting (Portainer splits on single spaces)", () => {
  it("accepts plain words and refuses what would be mangled", () => {
    expect(checkPodCommand("ls -l /tmp")).toEqual(["ls", "-l", "/tmp"]);
    for (const bad of ['sh -c "echo hi"', "echo 'a b'", "ls  -l", " ls", "ls ", "ls\t-l", "echo a\\ b"]) {
      expect(() => checkPodCommand(bad)).toThrow(/Invalid argument "command"/);
    }
  });

  it("the one-shot wrapper survives Portainer's split: no spaces, argv intact after it", () => {
    const w = wrapPodCommand(["echo", "a", "b"], { stdinLength: 5 });
    expect(w.command.split(" ")).toEqual(["sh", "-c", expect.not.stringContaining(" "), "sh", "5", "echo", "a", "b"]);
    // The markers are printed as two halves: the script (shown by ps) never contains them whole.
    expect(w.command).not.toContain(w.start.toString());
    expect(w.command).not.toContain(w.exit.toString());
  });
});

describe.skipIf(k8sGate.skip)("Kubernetes tools on a real cluster through the front", () => {
  let front: PortainerFront;
  let mcp: ConnectedClient;
  const k = cluster!;
  beforeAll(async () => {
    await Promise.all([
      createPod(k, {
        name: POD,
        labels: { app: LABEL, role: "main" },
        command: ["sh", "-c", "echo pod-out; echo pod-err >&2; exec sleep 3600"],
      }),
      createPod(k, { name: CRASH, labels: { app: LABEL, role: "crash" }, command: ["sh", "-c", "echo boom; exit 3"] }),
      createPod(k, {
        name: TWO,
        labels: { app: LABEL, role: "two" },
        command: [],
        containers: [
          { name: "first", command: ["sleep", "3600"] },
          { name: "second", command: ["sleep", "3600"] },
        ],
      }),
    ]);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT, kubernetes: k });
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_TOKEN: JWT } });
    await waitPodReady(k, POD);
    await waitPodReady(k, TWO);
  }, 120_000);
  afterAll(async () => {
    await mcp?.close();
    await front?.close();
    await Promise.all([POD, CRASH, TWO].map((p) => deletePod(k, p)));
  });

  it("list-namespaces: the cluster's namespaces, paged", async () => {
    const r = await mcp.call("list-namespaces", { endpointId: 2 });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as { namespaces: { name: string; status: string }[]; total: number };
    const names = s.namespaces.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(["default", "kube-system", "portainer"]));
    expect(s.namespaces.find((n) => n.name === "default")?.status).toBe("Active");
    expect(textOf(r)).toMatch(/^default\tActive\t\d+[smhd]$/m);
    const page = await mcp.call("list-namespaces", { endpointId: 2, limit: 1, offset: 1 });
    const p = page.structuredContent as { namespaces: { name: string }[]; total: number; nextOffset?: number };
    expect(p.namespaces.map((n) => n.name)).toEqual([names[1]]);
    expect(p.total).toBe(s.total);
    expect(p.nextOffset).toBe(2);
    expect(
      front.requests.filter((q) => q.path === "/api/endpoints/2/kubernetes/api/v1/namespaces").at(-1)?.query,
    ).toEqual({ limit: "500" });
  });

  it("list-pods: a namespace or all, by label, by status, paged", async () => {
    const r = await mcp.call("list-pods", { endpointId: 2, namespace: "default", labelSelector: `app=${LABEL}` });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as { pods: { name: string; ready: string; node: string; containers: string[] }[] };
    expect(s.pods.map((p) => p.name)).toEqual([CRASH, POD, TWO]);
    const two = s.pods.find((p) => p.name === TWO);
    expect(two).toMatchObject({ ready: "2/2", node: "infra-mcp-k8s", containers: ["first", "second"] });
    expect(textOf(r)).toContain(`default/${POD}\t1/1\tRunning\t0 restarts\tinfra-mcp-k8s\t`);
    const all = await mcp.call("list-pods", { endpointId: 2, labelSelector: `app=${LABEL},role=main` });
    expect((all.structuredContent as { pods: { namespace: string; name: string }[] }).pods).toMatchObject([
      { namespace: "default", name: POD },
    ]);
    expect(front.requests.filter((q) => q.path === "/api/endpoints/2/kubernetes/api/v1/pods").at(-1)?.query).toEqual({
      labelSelector: `app=${LABEL},role=main`,
      limit: "500",
    });
    // A phase goes to the API as a field selector; kubectl's other statuses are matched here.
    const running = await mcp.call("list-pods", { endpointId: 2, labelSelector: `app=${LABEL}`, status: "running" });
    const names = (running.structuredContent as { pods: { name: string }[] }).pods.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining([POD, TWO]));
    expect(front.requests.filter((q) => q.path.endsWith("/api/v1/pods")).at(-1)?.query.fieldSelector).toBe(
      "status.phase=Running",
    );
    const page = await mcp.call("list-pods", {
      endpointId: 2,
      namespace: "default",
      labelSelector: `app=${LABEL}`,
      limit: 2,
    });
    const p = page.structuredContent as { pods: unknown[]; total: number; nextOffset?: number };
    expect(p).toMatchObject({ total: 3, nextOffset: 2 });
    expect(textOf(page)).toMatch(/2 of 3 pods shown \(from offset 0\); offset=2 for more$/);
  });

  it("a crashing pod: list-pods finds it by kubectl's status, get-pod shows the last termination and events", async () => {
    await waitFor(
      "a restart of the crashing pod",
      async () => {
        const cs = (await getPod(k, CRASH)).data.status?.containerStatuses?.[0];
        return (cs?.restartCount ?? 0) >= 1 && cs?.lastState?.terminated ? true : undefined;
      },
      120_000,
    );
    const r = await mcp.call("get-pod", { endpointId: 2, namespace: "default", podName: CRASH });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as {
      phase: string;
      status: string;
      node: string;
      containers: { name: string; restarts: number; lastTermination?: string; ready: boolean }[];
      conditions: { type: string; status: string }[];
      events: { reason: string }[];
      labels: Record<string, string>;
    };
    expect(s.node).toBe("infra-mcp-k8s");
    expect(s.labels).toEqual({ app: LABEL, role: "crash" });
    expect(s.containers[0]?.restarts).toBeGreaterThanOrEqual(1);
    expect(s.containers[0]?.lastTermination).toMatch(/^terminated: Error, exit 3 at \S+Z$/);
    expect(s.conditions.map((c) => c.type)).toEqual(expect.arrayContaining(["PodScheduled", "Ready"]));
    expect(s.events.map((e) => e.reason)).toEqual(expect.arrayContaining(["Scheduled", "Started"]));
    expect(textOf(r)).toMatch(/\n {4}last: terminated: Error, exit 3/);
    const status = await waitFor(
      "list-pods to see the crash by its status",
      async () => {
        const l = await mcp.call("list-pods", { endpointId: 2, labelSelector: `app=${LABEL}`, status: s.status });
        const pods = (l.structuredContent as { pods: { name: string; status: string }[] }).pods;
        return pods.length === 1 && pods[0]?.name === CRASH ? pods[0].status : undefined;
      },
      60_000,
    );
    expect(["CrashLoopBackOff", "Error", "Running", "Completed"]).toContain(status);
    // The kubelet keeps one dead container per container: between the new one's exit and its
    // restart the previous one is gone (it answers 200 "unable to retrieve container logs for …"),
    // so ask until the pod is back in its backoff.
    const prev = await waitFor("the previous container's log", async () => {
      const x = await mcp.call("get-pod-logs", { endpointId: 2, namespace: "default", podName: CRASH, previous: true });
      return (x.structuredContent as Structured | undefined)?.log === "boom\n" ? x : undefined;
    });
    expect((prev.structuredContent as Structured).log).toBe("boom\n");
  }, 180_000);

  it("get-pod: a running pod's containers, conditions and events; a missing pod is a clear 404", async () => {
    const r = await mcp.call("get-pod", { endpointId: 2, namespace: "default", podName: POD, events: 3 });
    const s = r.structuredContent as {
      status: string;
      ready: string;
      hostIP: string;
      containers: { state: string; ready: boolean; image: string }[];
      events: unknown[];
    };
    expect(s).toMatchObject({ status: "Running", ready: "1/1", hostIP: "127.0.0.1" });
    expect(s.containers[0]).toMatchObject({ ready: true, image: "busybox:local" });
    expect(s.containers[0]?.state).toMatch(/^running since \S+Z$/);
    expect(s.events.length).toBeLessThanOrEqual(3);
    const q = front.requests.filter((x) => x.path.endsWith("/events")).at(-1);
    expect(q?.query.fieldSelector).toMatch(
      new RegExp(`^involvedObject.kind=Pod,involvedObject.name=${POD},involvedObject.uid=`),
    );
    const missing = await mcp.call("get-pod", { endpointId: 2, namespace: "default", podName: "nope" });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/HTTP 404 Not Found — pods "nope" not found\. Check namespace and podName/);
  });

  it("get-pod-logs: merged stdout and stderr, tailLines, timestamps; clear 404 and 400", async () => {
    const r = await waitFor("pod logs", async () => {
      const x = await mcp.call("get-pod-logs", { endpointId: 2, namespace: "default", podName: POD, tailLines: 10 });
      return ((x.structuredContent as Structured).lines as number) >= 2 ? x : undefined;
    });
    expect(((r.structuredContent as Structured).log as string).split("\n").sort()).toEqual(["", "pod-err", "pod-out"]);
    expect(textOf(r)).toMatch(new RegExp(`^default/${POD} · 2 lines, 16 bytes\\n`));
    expect(front.requests.filter((x) => x.path.endsWith("/log")).at(-1)).toMatchObject({
      path: `/api/endpoints/2/kubernetes/api/v1/namespaces/default/pods/${POD}/log`,
      query: { tailLines: "10" },
    });
    const one = await mcp.call("get-pod-logs", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      container: "main",
      tailLines: 1,
      sinceSeconds: 3600,
      timestamps: true,
    });
    expect((one.structuredContent as Structured).lines).toBe(1);
    expect((one.structuredContent as Structured).log).toMatch(/^\d{4}-\d\d-\d\dT\S+Z pod-(out|err)\n$/);
    const missing = await mcp.call("get-pod-logs", { endpointId: 2, namespace: "default", podName: "nope" });
    expect(textOf(missing)).toMatch(/HTTP 404 Not Found — pods "nope" not found\. Check namespace, podName/);
    const previous = await mcp.call("get-pod-logs", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      previous: true,
    });
    expect(textOf(previous)).toMatch(/HTTP 400 Bad Request — previous terminated container "main" in pod/);
    const two = await mcp.call("get-pod-logs", { endpointId: 2, namespace: "default", podName: TWO });
    expect(textOf(two)).toMatch(/HTTP 400 Bad Request — a container name must be specified/);
  });

  it("one-shot pod exec: output, exit code, stderr merged, stdin with EOF; every query parameter sent", async () => {
    const r = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "echo hello pod",
    });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ output: "hello pod\n", exitCode: 0, argv: ["echo", "hello", "pod"] });
    const q = front.requests.filter((x) => x.path === "/api/websocket/pod").at(-1);
    expect(q?.auth).toBe("token-query");
    expect(q?.query).toMatchObject({ endpointId: "2", namespace: "default", podName: POD, containerName: "main" });
    expect(q?.query.command).toMatch(/^sh -c [^ ]+ sh 0 echo hello pod$/);
    expect(JSON.stringify(r)).not.toContain(JWT);

    const failing = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "ls /nonexistent",
    });
    const f = failing.structuredContent as { output: string; exitCode: number };
    expect(f.exitCode).toBe(1);
    expect(f.output).toMatch(/nonexistent/); // stderr, merged by the TTY
    expect(textOf(failing)).toMatch(/^exit code 1 · /);

    // stdin arrives byte for byte (raw TTY: no echo, no line editing) and then EOF: cat ends.
    const stdin = `line one\nline two\t\u00e9\n${"x".repeat(10_000)}\n`;
    const cat = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "cat",
      stdin,
    });
    expect(cat.structuredContent).toMatchObject({ output: stdin, exitCode: 0 });
    const wc = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "wc -c",
      stdin: "12345",
    });
    expect((wc.structuredContent as { output: string }).output.trim()).toBe("5");
  });

  it("names a missing container or pod: a session before opening the websocket, a one-shot after Portainer's silent close", async () => {
    const before = front.requests.filter((q) => q.websocket).length;
    const noPod = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: "nope",
      containerName: "main",
      command: "sh",
      session: true,
    });
    expect(textOf(noPod)).toMatch(/HTTP 404 Not Found — pods "nope" not found\. Check endpointId/);
    const noContainer = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: TWO,
      containerName: "third",
      command: "sh",
      session: true,
    });
    expect(textOf(noContainer)).toMatch(/"containerName".*has no container "third" \(it has: first, second\)/);
    expect(front.requests.filter((q) => q.websocket).length).toBe(before);
    const oneShot = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: TWO,
      containerName: "third",
      command: "true",
    });
    expect(textOf(oneShot)).toMatch(/"containerName".*has no container "third"/);
    expect(front.requests.filter((q) => q.websocket).length).toBe(before + 1);
  });

  it("a one-shot past its time limit is killed (Portainer would leave it running)", async () => {
    const r = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "sleep 4241",
      timeoutMs: 1500,
    });
    expect(r.structuredContent).toMatchObject({ exitCode: null, endReason: "total-timeout" });
    expect(textOf(r)).toMatch(/^stopped after 1500 ms \(process killed\)/);
    // SIGKILL is sent when the kill exec ends; the process is gone a moment later.
    await waitFor("the killed process to go", async () =>
      (await podProcesses("sleep 4241")).length ? undefined : true,
    );
  });

  it("pod exec session: TTY echo, write, read by offset, resize refused clearly, close", async () => {
    const o = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "cat",
      session: true,
    });
    const { sessionId } = o.structuredContent as { sessionId: string };
    await mcp.call("session-write", { sessionId, data: "ping\n" });
    let text = "";
    let next = 0;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline && !/ping\r\nping\r\n/.test(text); ) {
      const r = sessionReadOf(await mcp.call("session-read", { sessionId, offset: next, waitMs: 300 })) as {
        text: string;
        nextOffset: number;
      };
      text += r.text;
      next = r.nextOffset;
    }
    expect(text).toBe("ping\r\nping\r\n"); // TTY echo + cat's copy
    const rs = await mcp.call("session-resize", { sessionId, cols: 80, rows: 24 });
    expect(rs.isError).toBe(true);
    expect(textOf(rs)).toContain("no terminal to resize");
    expect((await mcp.call("session-close", { sessionId })).isError).toBeFalsy();
  });

  /** Reads a session from offset 0 until `done` says the text (and state) are what was waited for. */
  const readUntil = (sessionId: string, done: (r: ReturnType<typeof sessionReadOf>) => boolean) =>
    waitFor("session output", async () => {
      const r = sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 300 }));
      return done(r) ? r : undefined;
    });
  const podProcesses = async (pattern: string) => {
    const ps = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "ps -o pid,args",
    });
    return (ps.structuredContent as { output: string }).output.split("\n").filter((l) => l.includes(pattern));
  };

  it("pod exec session: the exit code when the process ends; Ctrl-D as EOF; session-signal", async () => {
    const sh = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "sh",
      session: true,
      stdin: "echo in-$((6*7))\nexit 7\n",
    });
    const { sessionId } = sh.structuredContent as { sessionId: string };
    const r = await readUntil(sessionId, (x) => x.state === "exited");
    expect(r.exitCode).toBe(7);
    expect(r.text).toContain("in-42");
    expect(r.text).not.toMatch(/pid:\d/);

    const cat = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "cat",
      session: true,
    });
    const c = (cat.structuredContent as { sessionId: string }).sessionId;
    await mcp.call("session-write", { sessionId: c, data: "abc\n", eof: true });
    const rc = await readUntil(c, (x) => x.state === "exited");
    expect(rc.exitCode).toBe(0);
    expect(rc.text).toBe("abc\r\nabc\r\n");

    const sleeper = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "sleep 4243",
      session: true,
    });
    const sl = (sleeper.structuredContent as { sessionId: string }).sessionId;
    await waitFor("the sleeper", async () => ((await podProcesses("sleep 4243")).length ? true : undefined));
    expect((await mcp.call("session-signal", { sessionId: sl, signal: 15 })).isError).toBeFalsy();
    const rs = await readUntil(sl, (x) => x.state === "exited");
    expect(rs.exitCode).toBe(143);
  });

  it("session-close ends the process, which Portainer would leave running", async () => {
    const o = await mcp.call("execute-websocket-pod", {
      endpointId: 2,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "sleep 4242",
      session: true,
    });
    const { sessionId } = o.structuredContent as { sessionId: string };
    await waitFor("the process", async () => ((await podProcesses("sleep 4242")).length ? true : undefined));
    expect((await mcp.call("session-close", { sessionId })).isError).toBeFalsy();
    await waitFor("the killed process to go", async () =>
      (await podProcesses("sleep 4242")).length ? undefined : true,
    );
  });

  it("kubectl shell: Portainer's shell pod runs bash; the pod goes when the session closes", async () => {
    const o = await mcp.call("execute-websocket-kubectl-shell-pod", { endpointId: 2, input: "echo kube-$((1+1))\n" });
    expect(o.isError).toBeFalsy();
    const { sessionId } = o.structuredContent as { sessionId: string };
    const text = await waitFor("the shell's answer", async () => {
      const t = (
        sessionReadOf(await mcp.call("session-read", { sessionId, offset: 0, waitMs: 300 })) as { text: string }
      ).text;
      return t.includes("\nkube-2") ? t : undefined;
    });
    expect(text).toContain("\nkube-2");
    const q = front.requests.filter((x) => x.path === "/api/websocket/kubernetes-shell").at(-1);
    expect(Object.keys(q?.query ?? {}).sort()).toEqual(["endpointId", "token"]);
    const shells = await kube<{ items: { metadata: { name: string; annotations?: Record<string, string> } }[] }>(
      k,
      "GET",
      "/api/v1/namespaces/portainer/pods",
    );
    const shell = shells.data.items.find((p) => p.metadata.name.startsWith("portainer-pod-kubectl-shell-"));
    expect(shell?.metadata.annotations?.["kubernetes.io/pod.type"]).toBe("kubectl-shell");
    await mcp.call("session-close", { sessionId });
    await waitFor("the shell pod to go", async () =>
      (await kube(k, "GET", `/api/v1/namespaces/portainer/pods/${shell?.metadata.name}`)).status === 404
        ? true
        : undefined,
    );
  });

  it("REST: the Kubernetes routes and the pod websocket (POST one-shot, Upgrade interactive)", async () => {
    const net: NetworkHandle = await serveNetwork([portainerVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: false,
      rest: true,
      env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY },
    });
    try {
      const rest = net.restUrl as string;
      const base = `${rest}/v1/endpoints/2/kubernetes/api/v1`;
      const get = async (path: string) => {
        const r = await fetch(`${base}${path}`);
        return { status: r.status, body: (await r.json()) as Structured };
      };
      const ns = await get("/namespaces");
      expect((ns.body.namespaces as { name: string }[]).map((n) => n.name)).toContain("default");
      const all = await get(`/pods?labelSelector=app=${LABEL},role=two`);
      expect((all.body.pods as { name: string }[]).map((p) => p.name)).toEqual([TWO]);
      const inNs = await get(`/namespaces/default/pods?labelSelector=app=${LABEL}&limit=1&offset=1`);
      expect(inNs.body).toMatchObject({ total: 3, offset: 1, nextOffset: 2 });
      const one = await get(`/namespaces/default/pods/${TWO}`);
      expect(one.body).toMatchObject({ name: TWO, ready: "2/2" });
      expect((await get("/namespaces/default/pods/nope")).status).toBe(404);
      const log = await get(`/namespaces/default/pods/${POD}/log?tailLines=5`);
      expect(log.body.lines).toBe(2);
      const post = await fetch(`${rest}/v1/websocket/pod`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          endpointId: 2,
          namespace: "default",
          podName: POD,
          containerName: "main",
          command: "echo rest pod",
        }),
      });
      expect(await post.json()).toMatchObject({ output: "rest pod\n", exitCode: 0 });
      const q = new URLSearchParams({
        endpointId: "2",
        namespace: "default",
        podName: POD,
        containerName: "main",
        command: "cat",
      });
      const echoed = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`${rest.replace("http", "ws")}/v1/websocket/pod?${q}`);
        let text = "";
        ws.on("open", () => ws.send("via-rest\n"));
        ws.on("message", (d) => {
          text += d.toString();
          if (text.includes("via-rest\r\nvia-rest\r\n")) {
            ws.close();
            resolve(text);
          }
        });
        ws.on("error", reject);
      });
      expect(echoed).toBe("via-rest\r\nvia-rest\r\n"); // Portainer's TTY stream as is
    } finally {
      await net.close();
    }
  });

  it("a Docker environment is refused by the pod route (500, as Portainer answers)", async () => {
    const r = await mcp.call("execute-websocket-pod", {
      endpointId: 1,
      namespace: "default",
      podName: POD,
      containerName: "main",
      command: "true",
    });
    expect(r.isError).toBe(true);
    // Real Portainer 2.23 on a Docker environment: 500 {"message":"Unable to get user service account token","details":"Unsupported environment type"}
    expect(textOf(r)).toMatch(/HTTP 500.*Unable to get user service account token: Unsupported environment type/);
  });

  it("the front checks the pod query parameters like Portainer", async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(
        `${front.url.replace("http", "ws")}/api/websocket/pod?endpointId=2&podName=x&containerName=y&command=ls`,
        { headers: { "x-api-key": API_KEY } },
      );
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => resolve(101));
      ws.on("error", () => {});
    });
    expect(status).toBe(400);
  });
});
