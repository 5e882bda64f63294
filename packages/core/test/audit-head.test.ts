import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { AuditLog, GENESIS } from "../src/observe/audit.js";
import { lineEndingAt, readHead } from "../src/observe/audit-head.js";
import { verifyAudit } from "../src/observe/audit-verify.js";
import { auditHeadSettled } from "../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "audit-head-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const rawLines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean);

describe("the audit head beside a log file", () => {
  it("names the file's end and its last line's hash, shortly after the records", async () => {
    const file = join(dir, "plain.log");
    const log = new AuditLog(file);
    expect(readHead(file)).toEqual({ bytes: 0, sha256: GENESIS });
    log.write({ event: "intent", n: 1 });
    // The record is in the file at once; the head follows once the call is done.
    expect(rawLines(file)).toHaveLength(1);
    expect(readHead(file)).toEqual({ bytes: 0, sha256: GENESIS });
    log.writeSoon({ event: "outcome", n: 1 });
    expect(rawLines(file)).toHaveLength(1);
    await auditHeadSettled(file);
    const raw = rawLines(file);
    expect(raw).toHaveLength(2);
    expect(JSON.parse(raw[1] as string).prev).toBe(sha(raw[0] as string));
    expect(readHead(file)).toEqual({ bytes: statSync(file).size, sha256: sha(raw[1] as string) });
    log.close();
    expect(verifyAudit([file])).toEqual({ ok: true, count: 2, notes: [`${file} ends where ${file}.head says`] });
  });

  it("accepts records past the head's end: a kill between a record and its head update", async () => {
    const file = join(dir, "lag.log");
    const log = new AuditLog(file);
    log.write({ n: 1 });
    await auditHeadSettled(file);
    const before = readFileSync(`${file}.head`);
    log.write({ n: 2 });
    log.close();
    // What a kill before the end of the turn leaves: the head one record behind.
    writeFileSync(`${file}.head`, before);
    expect(verifyAudit([file])).toEqual({
      ok: true,
      count: 2,
      notes: [`1 record after the last one ${file}.head names (a server stopped before it updated the head)`],
    });
    // A restart continues from the file's real last line, not from the head's.
    const again = new AuditLog(file);
    again.write({ n: 3 });
    again.close();
    const raw = rawLines(file);
    expect(JSON.parse(raw[2] as string).prev).toBe(sha(raw[1] as string));
    expect(verifyAudit([file])).toMatchObject({ ok: true, count: 3 });
  });

  it("refuses a last line edited in place, which the chain alone cannot see", () => {
    const file = join(dir, "edited-end.log");
    const log = new AuditLog(file);
    log.write({ outcome: "error" });
    log.close();
    writeFileSync(file, readFileSync(file, "utf8").replace('"error"', '"fine!"'));
    expect(verifyAudit([file])).toMatchObject({
      ok: false,
      line: 1,
      why: expect.stringContaining("names a last record ending at byte"),
    });
  });

  it("after a rotation, the new file's head holds the link to the old file until its first record", async () => {
    const file = join(dir, "rotated.log");
    const log = new AuditLog(file);
    log.write({ n: 1 });
    await auditHeadSettled(file);
    renameSync(file, `${file}.1`);
    log.reopen();
    const lastOld = rawLines(`${file}.1`)[0] as string;
    expect(readHead(file)).toEqual({ bytes: 0, sha256: sha(lastOld) });
    expect(verifyAudit([`${file}.1`, file])).toEqual({
      ok: true,
      count: 1,
      notes: [`${file} ends where ${file}.head says`],
    });
    // A restart before any record keeps the link.
    log.close();
    const again = new AuditLog(file);
    again.write({ n: 2 });
    again.close();
    expect(JSON.parse(rawLines(file)[0] as string).prev).toBe(sha(lastOld));
    expect(verifyAudit([`${file}.1`, file])).toMatchObject({ ok: true, count: 2 });
    const alone = verifyAudit([file]);
    expect(alone).toMatchObject({ ok: true, count: 1 });
    expect(alone.ok && alone.notes[0]).toBe(
      `${file} line 1 continues an earlier file: give that file first to check the link`,
    );
  });

  it("a head that is not a head record breaks verification", () => {
    const file = join(dir, "bad-head.log");
    const log = new AuditLog(file);
    log.write({ n: 1 });
    log.close();
    writeFileSync(`${file}.head`, "nonsense");
    expect(verifyAudit([file])).toMatchObject({ ok: false, line: 2, why: `${file}.head is not a head record` });
  });

  it("goes on writing records when the head cannot be written, and says so once", () => {
    const file = join(dir, "headless.log");
    mkdirSync(`${file}.head`);
    const said: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      said.push(String(chunk));
      return true;
    });
    try {
      const log = new AuditLog(file);
      log.write({ n: 1 });
      log.write({ n: 2 });
      log.close();
    } finally {
      spy.mockRestore();
    }
    expect(rawLines(file)).toHaveLength(2);
    expect(said.filter((l) => l.includes("audit head unavailable"))).toHaveLength(1);
    expect(said.join("")).toContain("EISDIR");
    expect(verifyAudit([file])).toMatchObject({ ok: false, line: 3, why: `cannot read ${file}.head (EISDIR)` });
  });

  it("has no head for a target that is not a regular file", () => {
    const log = new AuditLog("/dev/null");
    log.write({ n: 1 });
    log.close();
    expect(readHead("/dev/null")).toBeUndefined();
  });

  it("verifies a log larger than its read chunk: lines across chunk borders, one longer than a chunk", () => {
    const file = join(dir, "large.log");
    const log = new AuditLog(file);
    for (let i = 0; i < 3000; i++) log.write({ n: i, pad: "p".repeat(700 + (i % 13)) });
    log.write({ n: "long", pad: "q".repeat(2_500_000) });
    for (let i = 0; i < 10; i++) log.write({ n: i });
    log.close();
    expect(statSync(file).size).toBeGreaterThan(4 << 20);
    expect(verifyAudit([file])).toEqual({ ok: true, count: 3011, notes: [`${file} ends where ${file}.head says`] });
    // An edit inside the long line breaks the chain at the line after it.
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace("qqqq", "qqqr"));
    expect(verifyAudit([file])).toMatchObject({ ok: false, line: 3002 });
  });

  it("reads a line back from any end offset, across read chunks", () => {
    const file = join(dir, "long.log");
    const long = "x".repeat(70_000);
    writeFileSync(file, `a\n${long}\nb`);
    expect(lineEndingAt(file, 2)).toBe("a");
    expect(lineEndingAt(file, 2 + long.length + 1)).toBe(long);
    expect(lineEndingAt(file, 2 + long.length)).toBeUndefined();
    expect(lineEndingAt(file, statSync(file).size, false)).toBe("b");
    expect(lineEndingAt(file, statSync(file).size + 10)).toBeUndefined();
  });
});
