import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IncusRemotes } from "../src/config.js";
import { connect, gate, incus, structured } from "./helpers.js";

/**
 * Several remotes from one server: a CLI configuration naming two remotes of the real daemon — its
 * unix socket and its HTTPS address with a trusted client certificate — each in a project of its
 * own, with an instance in each, so an answer shows which remote and project served it.
 */
const tag = `${process.pid}-${randomBytes(3).toString("hex")}`;
const PROJECT_A = `mcp-ra-${tag}`;
const PROJECT_B = `mcp-rb-${tag}`;
const IN_A = `mcp-test-a-${tag}`;
const IN_B = `mcp-test-b-${tag}`;
const HTTPS = "https://127.0.0.1:8443";
const SERVER_CERT = "/var/lib/incus/server.crt";

describe.skipIf(gate.skip)("several remotes from one server (real daemon: unix socket + HTTPS)", () => {
  const conf = mkdtempSync(join(tmpdir(), "incus-mcp-remotes-"));
  let fingerprint = "";
  let c: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    for (const p of [PROJECT_A, PROJECT_B]) {
      incus("project", "create", p, "-c", "features.images=false", "-c", "features.profiles=false");
    }
    incus("init", "bb", IN_A, "--project", PROJECT_A);
    incus("init", "bb", IN_B, "--project", PROJECT_B);
    const crt = join(conf, "client.crt");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes", "-days", "2"].concat([
        "-subj",
        `/CN=incus-mcp-remotes-${tag}`,
        "-keyout",
        join(conf, "client.key"),
        "-out",
        crt,
      ]),
      { stdio: "pipe" },
    );
    fingerprint = execFileSync("openssl", ["x509", "-in", crt, "-noout", "-fingerprint", "-sha256"], {
      encoding: "utf8",
    })
      .replace(/^.*=/, "")
      .replace(/:/g, "")
      .trim()
      .toLowerCase();
    incus("config", "trust", "add-certificate", crt, "--name", `incus-mcp-remotes-${tag}`);
    mkdirSync(join(conf, "servercerts"));
    writeFileSync(join(conf, "servercerts", "tls.crt"), readFileSync(SERVER_CERT));
    writeFileSync(
      join(conf, "config.yml"),
      [
        "default-remote: sock",
        "remotes:",
        "  sock:",
        "    addr: unix://",
        `    project: ${PROJECT_A}`,
        "    public: false",
        "  tls:",
        `    addr: ${HTTPS}`,
        "    auth_type: tls",
        `    project: ${PROJECT_B}`,
        "    protocol: incus",
        "    public: false",
        "  images:",
        "    addr: https://images.example.invalid",
        "    protocol: simplestreams",
        "    public: true",
        "",
      ].join("\n"),
    );
    c = await connect({ INCUS_CONF: conf });
  }, 120_000);
  afterAll(async () => {
    await c?.close();
    for (const [name, project] of [
      [IN_A, PROJECT_A],
      [IN_B, PROJECT_B],
    ] as const) {
      try {
        incus("delete", "--force", name, "--project", project);
      } catch {
        // not created
      }
    }
    for (const p of [PROJECT_A, PROJECT_B]) {
      try {
        incus("project", "delete", p);
      } catch {
        // not created
      }
    }
    try {
      incus("config", "trust", "remove", fingerprint);
    } catch {
      // not added
    }
    rmSync(conf, { recursive: true, force: true });
  }, 120_000);

  const names = (r: Awaited<ReturnType<typeof c.call>>) =>
    structured<{ instances: { name: string; project: string }[] }>(r).instances.map((i) => `${i.project}/${i.name}`);

  it("one tool call to each remote: each answers from its own transport and project", async () => {
    // default: config.yml's default-remote (the socket), in its project
    expect(names(await c.call("list-instances", {}))).toEqual([`${PROJECT_A}/${IN_A}`]);
    expect(names(await c.call("list-instances", { remote: "sock" }))).toEqual([`${PROJECT_A}/${IN_A}`]);
    // over HTTPS with the trusted client certificate, in the other project
    expect(names(await c.call("list-instances", { remote: "tls" }))).toEqual([`${PROJECT_B}/${IN_B}`]);
    // a write through each remote lands in the instance of that remote's project
    await c.call("push-file", { instance: IN_B, path: "/root/via", content: "tls", remote: "tls" });
    await c.call("push-file", { instance: IN_A, path: "/root/via", content: "sock" });
    expect(incus("file", "pull", `${IN_B}/root/via`, "-", "--project", PROJECT_B)).toBe("tls");
    expect(incus("file", "pull", `${IN_A}/root/via`, "-", "--project", PROJECT_A)).toBe("sock");
    // the instance of one project is not visible through the other remote
    const cross = await c.call("get-instance-state", { instance: IN_A, remote: "tls" });
    expect(cross.isError).toBe(true);
    expect(textOf(cross)).toMatch(/HTTP 404/);
  });

  it("list-remotes: address, auth type, project, default, and whether each answers", async () => {
    const r = await c.call("list-remotes", {});
    const s = structured<{
      defaultRemote: string;
      remotes: {
        name: string;
        addr: string;
        authType: string;
        isDefault: boolean;
        answers: boolean | null;
        auth?: string;
      }[];
    }>(r);
    expect(s.defaultRemote).toBe("sock");
    const by = Object.fromEntries(s.remotes.map((x) => [x.name, x]));
    expect(Object.keys(by).sort()).toEqual(["images", "local", "sock", "tls"]);
    expect(by.sock).toMatchObject({ addr: "unix://", isDefault: true, answers: true, auth: "trusted" });
    expect(by.tls).toMatchObject({ addr: HTTPS, authType: "tls", isDefault: false, answers: true, auth: "trusted" });
    expect(by.local).toMatchObject({ answers: true });
    expect(by.images).toMatchObject({ answers: null });
    expect(textOf(r)).toMatch(
      new RegExp(`^\\* sock unix:// auth=file access project=${PROJECT_A} answers \\(trusted, Incus `, "m"),
    );
    expect(textOf(r)).toMatch(/images .* \(simplestreams image server, not probed\)/);
  });

  it("an unknown remote is a clear error listing the known ones; an image server is refused", async () => {
    const unknown = await c.call("list-instances", { remote: "nowhere" });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toBe(
      'Invalid argument "remote": unknown remote "nowhere"; known: local, sock, tls, images (see list-remotes)',
    );
    const images = await c.call("list-instances", { remote: "images" });
    expect(textOf(images)).toMatch(/remote "images" is a simplestreams image server, not an Incus API/);
    const envDefault = await connect({ INCUS_CONF: conf, INCUS_REMOTE: "gone" });
    try {
      expect(textOf(await envDefault.call("list-instances", {}))).toMatch(
        /INCUS_REMOTE=gone: no remote "gone" .*known: local, sock, tls, images/,
      );
      // list-remotes still answers when the default remote is wrong
      expect((await envDefault.call("list-remotes", { probe: false })).isError).toBeFalsy();
    } finally {
      await envDefault.close();
    }
  });

  it("one client per remote, created on first use and reused", async () => {
    const remotes = new IncusRemotes({ INCUS_CONF: conf });
    try {
      const tls = remotes.get("tls").http;
      expect(remotes.get("tls").http).toBe(tls);
      expect(remotes.get().http).toBe(remotes.get("sock").http);
      expect(remotes.get("sock").http).not.toBe(tls);
      expect(remotes.get("tls").project).toBe(PROJECT_B);
    } finally {
      await remotes.close();
    }
  });
});

describe("remote credentials (loopback servers, no daemon needed)", () => {
  async function capture() {
    const auth: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      auth.push(req.headers.authorization);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ type: "sync", status_code: 200, metadata: { running: [] } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      auth,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it("INCUS_TOKEN goes to the default remote only; an oidc remote uses its cached token", async () => {
    const main = await capture();
    const other = await capture();
    const conf = mkdtempSync(join(tmpdir(), "incus-mcp-oidc-"));
    mkdirSync(join(conf, "oidctokens"));
    writeFileSync(join(conf, "oidctokens", "other.json"), JSON.stringify({ access_token: "cached-token-of-other" }));
    writeFileSync(
      join(conf, "config.yml"),
      `remotes:\n  other:\n    addr: ${other.url}\n    auth_type: oidc\n    protocol: incus\n`,
    );
    const c = await connect({ INCUS_CONF: conf, INCUS_URL: main.url, INCUS_TOKEN: "env-token-for-default" });
    try {
      expect((await c.call("get-operations", {})).isError).toBeFalsy();
      expect((await c.call("get-operations", { remote: "other" })).isError).toBeFalsy();
      expect(main.auth).toEqual(["Bearer env-token-for-default"]);
      expect(other.auth).toEqual(["Bearer cached-token-of-other"]);
      const listed = structured<{ defaultRemote: string; remotes: { name: string; source: string }[] }>(
        await c.call("list-remotes", { probe: false }),
      );
      expect(listed.defaultRemote).toBe("url");
      expect(listed.remotes.map((r) => `${r.name}:${r.source}`)).toEqual([
        "local:built-in",
        "other:config",
        "url:INCUS_URL",
      ]);
    } finally {
      await c.close();
      await main.close();
      await other.close();
      rmSync(conf, { recursive: true, force: true });
    }
  });
});
