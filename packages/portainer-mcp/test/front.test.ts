import { waitFor } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type PortainerFront, startPortainerFront, validUtf8 } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, docker, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

// The fixture itself must follow Portainer's facts, or the client tests prove nothing.
describe("validUtf8 drops invalid bytes like Go's validString", () => {
  it("keeps valid sequences and drops stray bytes", () => {
    expect(validUtf8(Buffer.from([0x61, 0xff, 0x62, 0xc3, 0xa9, 0xe2, 0x82]))).toEqual(Buffer.from("abé"));
    expect(validUtf8(Buffer.from([0xed, 0xa0, 0x80, 0x7a]))).toEqual(Buffer.from("z"));
  });
});

describe.skipIf(gate.skip)("the Portainer front", () => {
  let front: PortainerFront;
  const NAME = `pmcp-front-${uniq}`;
  let cid: string;
  beforeAll(async () => {
    cid = await runContainer(NAME, ["sleep", "3600"]);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
  });
  afterAll(async () => {
    await front?.close();
    await removeContainer(NAME);
  });

  const get = (headers: Record<string, string>, q = "") => fetch(`${front.url}/api/endpoints${q}`, { headers });

  it("auth order: key header/query, cookie, token, bearer; both → 403; none or wrong → 401", async () => {
    expect((await get({ "x-api-key": API_KEY })).status).toBe(200);
    expect((await get({}, `?x-api-key=${API_KEY}`)).status).toBe(200);
    expect((await get({ cookie: `portainer_api_key=${JWT}` })).status).toBe(200);
    expect((await get({}, `?token=${JWT}`)).status).toBe(200);
    expect((await get({ authorization: `Bearer ${JWT}` })).status).toBe(200);
    expect((await get({ "x-api-key": API_KEY, authorization: `Bearer ${JWT}` })).status).toBe(403);
    expect((await get({})).status).toBe(401);
    expect((await get({ "x-api-key": "nope" })).status).toBe(401);
    // first match wins: a wrong key is not rescued by a valid token
    expect((await get({ "x-api-key": "nope" }, `?token=${JWT}`)).status).toBe(401);
  });

  it("a client frame over 2048 bytes closes the bridge (read limit)", async () => {
    const e = await docker<{ Id: string }>("POST", `/containers/${cid}/exec`, {
      AttachStdin: true,
      AttachStdout: true,
      Cmd: ["cat"],
    });
    const ws = new WebSocket(`${front.url.replace("http", "ws")}/api/websocket/exec?endpointId=1&id=${e.data.Id}`, {
      headers: { "x-api-key": API_KEY },
    });
    await new Promise((r) => ws.once("open", r));
    const echoed: string[] = [];
    ws.on("message", (d, isBinary) => echoed.push(`${isBinary ? "binary" : "text"}:${d.toString()}`));
    ws.send(Buffer.alloc(2048, 0x61));
    // the frame at the limit went through: cat echoed all of it before the oversized one is sent
    const echoedBytes = () => echoed.reduce((n, x) => n + x.slice(x.indexOf(":") + 1).length, 0);
    await waitFor(() => echoedBytes() >= 2048, { what: "cat to echo the 2048-byte frame" });
    const code = await new Promise<number>((resolve) => {
      ws.once("close", (c) => resolve(c));
      ws.send(Buffer.alloc(2049, 0x62));
    });
    expect(echoed.join("").replace(/text:/g, "")).toBe("a".repeat(2048));
    expect(echoed.every((x) => x.startsWith("text:"))).toBe(true);
    expect([1009, 1006]).toContain(code);
  });

  it("websocket routes check id and endpointId before upgrading", async () => {
    const status = (q: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${front.url.replace("http", "ws")}/api/websocket/exec${q}`, {
          headers: { "x-api-key": API_KEY },
        });
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => {
          ws.terminate();
          resolve(101);
        });
        ws.on("error", () => {});
      });
    expect(await status("?endpointId=1")).toBe(400);
    expect(await status("?endpointId=1&id=zz")).toBe(400);
    expect(await status("?endpointId=9&id=abc")).toBe(404);
    expect(await status("?endpointId=1&id=abc")).toBe(101); // upgraded; the failed hijack then just closes
  });
});
