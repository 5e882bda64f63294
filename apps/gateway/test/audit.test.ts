/**
 * The audit log through the gateway bin's REST surface (issue 24): a write route is recorded before
 * and after it runs (its body as size and sha256), a request without the token is a refusal
 * record, and `infra-mcp-gateway audit verify` checks the chain.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { auditHeadSettled, daemonGate, INCUS_TEST_SOCKET, waitFor } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin.js", import.meta.url));
const incusGate = daemonGate("Incus daemon", existsSync(INCUS_TEST_SOCKET));
const TOKEN = "observe-audit-token-0123456789";

describe.skipIf(incusGate.skip)("gateway audit log over REST, against the real Incus", () => {
  const dir = mkdtempSync(join(tmpdir(), "observe-gw-"));
  const file = join(dir, "audit.log");
  const path = `/tmp/observe-audit-${process.pid}.txt`;
  let gw: ChildProcess;
  let stderr = "";
  let rest = "";

  beforeAll(async () => {
    gw = spawn(process.execPath, [bin, "--no-http", "--rest-port", "0", "--toolsets", "all"], {
      env: {
        PATH: process.env.PATH ?? "",
        INCUS_SOCKET: INCUS_TEST_SOCKET,
        MCP_HTTP_TOKEN: TOKEN,
        MCP_AUDIT_LOG: file,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    gw.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    rest = await waitFor(() => /"rest":"(http:\/\/[^"]+)"/.exec(stderr)?.[1], { what: "the gateway's REST url" });
  });

  afterAll(() => {
    gw?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  const records = () =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("records a REST write route before and after it runs, and a refusal; verify holds", async () => {
    const body = JSON.stringify({ path, content: "audited body content" });
    const res = await fetch(`${rest}/v1/1-0/instances/c1/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    const refused = await fetch(`${rest}/v1/1-0/instances/c1/files`, { method: "POST", body });
    expect(refused.status).toBe(401);
    // Clean up our own file (also an audited write).
    const del = await fetch(`${rest}/v1/1-0/instances/c1/files?path=${encodeURIComponent(path)}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(del.status).toBeLessThan(300);
    // An outcome is written right after its answer leaves, not before.
    const all = await waitFor(() => (records().length >= 5 ? records() : undefined), {
      what: "the DELETE's outcome record",
    });
    expect(all.map((r) => r.event)).toEqual(["intent", "outcome", "refused", "intent", "outcome"]);
    expect(all[0]).toMatchObject({
      server: "incus-mcp",
      tool: "push-file",
      route: "POST /v1/1-0/instances/{name}/files",
      transport: "rest",
      args: {
        instance: "c1",
        path,
        content: { bytes: 20, sha256: createHash("sha256").update("audited body content").digest("hex") },
      },
    });
    expect(all[1]).toMatchObject({ id: all[0]?.id, outcome: "ok" });
    expect(all[2]).toMatchObject({ event: "refused", reason: "authentication", status: 401 });
    expect(readFileSync(file, "utf8")).not.toContain("audited body content");
    expect(readFileSync(file, "utf8")).not.toContain(TOKEN);
    await auditHeadSettled(file);
    const verify = spawnSync(process.execPath, [bin, "audit", "verify", file], { encoding: "utf8" });
    expect(verify.status).toBe(0);
    expect(verify.stdout).toBe(`ok: 5 records, chain intact\n  ${file} ends where ${file}.head says\n`);
  });
});
