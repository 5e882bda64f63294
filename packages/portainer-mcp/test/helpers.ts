import { existsSync } from "node:fs";
import { request } from "node:http";
import { daemonGate } from "@infra-mcp/core/testing";

export const DOCKER_SOCKET = process.env.DOCKER_SOCKET ?? "/var/run/docker.sock";
export const IMAGE = "busybox:local";
/** Recognisable fake secrets: tests assert they never show up in any result. */
export const API_KEY = "ptr_FAKEKEY_5f1c9a7e3b";
export const JWT = "eyJhbGciOiJIUzI1NiJ9.FAKEJWT.c2lnbmF0dXJl";

export function docker<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; data: T }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: DOCKER_SOCKET, method, path, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // plain text
          }
          resolve({ status: res.statusCode ?? 0, data: data as T });
        });
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export async function dockerAvailable(): Promise<boolean> {
  if (!existsSync(DOCKER_SOCKET)) return false;
  try {
    const ping = await docker("GET", "/_ping");
    if (ping.status !== 200) return false;
    const img = await docker("GET", `/images/${encodeURIComponent(IMAGE)}/json`);
    return img.status === 200;
  } catch {
    return false;
  }
}

export const gate = daemonGate(`Docker engine with image ${IMAGE}`, await dockerAvailable());

/** Starts a container (network none) and returns its id; remove it with removeContainer. */
export async function runContainer(name: string, cmd: string[], tty = false): Promise<string> {
  await docker("DELETE", `/containers/${name}?force=1`);
  const created = await docker<{ Id: string }>("POST", `/containers/create?name=${name}`, {
    Image: IMAGE,
    Cmd: cmd,
    Tty: tty,
    OpenStdin: true,
    HostConfig: { NetworkMode: "none" },
  });
  if (created.status !== 201) throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.data)}`);
  const started = await docker("POST", `/containers/${created.data.Id}/start`);
  if (started.status !== 204) throw new Error(`start ${name}: ${started.status}`);
  return created.data.Id;
}

export async function removeContainer(name: string): Promise<void> {
  await docker("DELETE", `/containers/${name}?force=1`);
}

export const uniq = `${process.pid}-${Date.now().toString(36)}`;

/** A container's processes as `pid args` lines (`docker top`: ps on the host, full command lines). */
export async function containerProcesses(name: string): Promise<string[]> {
  const top = await docker<{ Processes: string[][] }>("GET", `/containers/${name}/top?ps_args=-eo%20pid,args`);
  if (top.status !== 200) throw new Error(`docker top ${name}: ${top.status}`);
  return top.data.Processes.map((p) => p.join(" "));
}

/** Polls the container's processes until one line contains `token` (true) or none does (false), or the deadline. */
export async function waitProcess(name: string, token: string, present: boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if ((await containerProcesses(name)).some((p) => p.includes(token)) === present) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The four kinds of exec an orphan check runs: each carries `token` in a command line. */
export const ORPHAN_KINDS: { kind: string; tty: boolean; command: (token: string) => string[] }[] = [
  // A child shell with the token too: the whole process group must go, not just the wrapper.
  { kind: "quiet", tty: false, command: (t) => ["sh", "-c", `sh -c 'sleep 600; : ${t}-child'; : ${t}`] },
  { kind: "chatty", tty: false, command: (t) => ["sh", "-c", `while :; do echo ${t}; done`] },
  { kind: "TTY", tty: true, command: (t) => ["sh", "-c", `while read -r l; do echo "$l"; done; : ${t}`] },
  { kind: "stdin reader", tty: false, command: (t) => ["sh", "-c", `cat >/dev/null; : ${t}`] },
];
