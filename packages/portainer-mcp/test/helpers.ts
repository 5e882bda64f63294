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
