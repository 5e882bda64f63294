import { hash } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { log } from "../base/logger.js";
import { redactor } from "../base/redact.js";

/** The `prev` of a chain's very first line: nothing came before it. */
export const GENESIS = "0".repeat(64);

// The one-shot digest: createHash builds a stream-capable Hash object per record, several times dearer.
export const sha256 = (s: string | Buffer): string => hash("sha256", s, "hex");

/**
 * An append-only JSON-lines audit file with a hash chain: every line carries `prev`, the sha256 of
 * the line before it (its bytes without the newline), so an edited, removed or reordered line
 * breaks the chain at the line after it (`verifyAudit`). Each record is written with one
 * synchronous write(2) on an O_APPEND descriptor before the call it announces goes upstream: once
 * write returns the line is in the kernel, so a SIGKILL of the server cannot lose it (a power
 * loss can; fsync per record would cost milliseconds a call). An outcome follows its answer
 * (writeSoon) instead of holding it up.
 *
 * A record that cannot be written (permissions, disk full) marks the log failed; the caller refuses
 * the calls it would have audited. `reopen` (SIGHUP) opens the path again, so a rotated file starts
 * with a line whose `prev` is the hash of the old file's last line.
 */
export class AuditLog {
  #fd: number | undefined;
  #prev = GENESIS;
  #pending: Record<string, unknown>[] = [];
  #error: string | undefined;
  readonly target: string;

  constructor(target: string) {
    this.target = target;
    this.#open(true);
  }

  /** Why records cannot be written now, or undefined when they can. */
  get failure(): string | undefined {
    return this.#error;
  }

  /**
   * A record that must not delay the answer it follows (a call's outcome): written right after the
   * current turn of the event loop, once the answer is on its way. Any record written before then
   * writes it first, so the file keeps the order in which things happened (and the chain with it).
   */
  writeSoon(record: Record<string, unknown>): void {
    this.#pending.push(record);
    if (this.#pending.length === 1) setImmediate(() => this.#flushPending());
  }

  /** Appends one record (adds `prev`); throws AuditUnavailable when the line could not be written. */
  write(record: Record<string, unknown>): void {
    if (this.#pending.length) this.#flushPending();
    if (this.#fd === undefined) this.#open(false);
    if (this.#fd === undefined) throw new AuditUnavailable(this.#error ?? "audit log not open");
    // Redacted like every other line that leaves the process: a credential inside an argument
    // (a command line with a token) never reaches the file.
    const line = redactor.redact(JSON.stringify({ ...record, prev: this.#prev }));
    const bytes = Buffer.from(`${line}\n`, "utf8");
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(this.#fd, bytes, done);
    } catch (error) {
      this.#fail(error);
      throw new AuditUnavailable(this.#error ?? String(error));
    }
    this.#prev = sha256(line);
    this.#error = undefined;
  }

  #flushPending(): void {
    for (const record of this.#pending.splice(0)) {
      try {
        this.write(record);
      } catch {
        // An outcome that cannot be written: its intent is on disk, and the failure is reported
        // and refuses the next call that must be audited.
      }
    }
  }

  /** Rotation: closes the descriptor and opens the path again, continuing the chain. */
  reopen(): void {
    this.#flushPending();
    if (this.#fd !== undefined && this.#fd > 2) closeSync(this.#fd);
    this.#fd = undefined;
    this.#open(false);
  }

  close(): void {
    this.#flushPending();
    if (this.#fd !== undefined && this.#fd > 2) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(first: boolean): void {
    if (this.target === "stderr") {
      this.#fd = 2;
      return;
    }
    try {
      const fd = openSync(this.target, "a", 0o600);
      // At start-up, a file that already holds lines continues its own chain (a restart is not a
      // break); after a rotation the in-memory hash of the old file's last line links the two.
      if (first && fstatSync(fd).size > 0) this.#prev = sha256(lastLine(this.target));
      this.#fd = fd;
      this.#error = undefined;
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    const code = (error as NodeJS.ErrnoException)?.code;
    this.#error = `cannot write the audit log ${this.target}${code ? ` (${code})` : ""}`;
    log.error("audit log unavailable: audited calls are refused until it can be written", {
      file: this.target,
      ...(code ? { code } : {}),
    });
  }
}

/** Thrown when an audited call cannot be recorded: the call is refused, the server stays up. */
export class AuditUnavailable extends Error {
  constructor(why: string) {
    super(`Refused: ${why}, and this call must be audited before it runs. Nothing was sent upstream.`);
    this.name = "AuditUnavailable";
  }
}

/** The file's last line (without its newline), read from the end. */
function lastLine(file: string): string {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    let start = size;
    let tail = "";
    while (start > 0) {
      const n = Math.min(65536, start);
      start -= n;
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, start);
      tail = buf.toString("utf8") + tail;
      const body = tail.replace(/\n+$/, "");
      const cut = body.lastIndexOf("\n");
      if (cut >= 0) return body.slice(cut + 1);
    }
    return tail.replace(/\n+$/, "");
  } finally {
    closeSync(fd);
  }
}

export type VerifyResult =
  | { ok: true; count: number }
  | { ok: false; count: number; file: string; line: number; why: string };

/**
 * Checks the chain of one or more files, in order (rotated files oldest first): each line must be
 * JSON whose `prev` is the sha256 of the line before it, across file boundaries too. The first line
 * of the first file is the anchor: its `prev` is taken as given (GENESIS for a log that was never
 * rotated).
 */
export function verifyAudit(files: readonly string[]): VerifyResult {
  let prev: string | undefined;
  let count = 0;
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      const at = { file, line: i + 1 };
      let record: { prev?: unknown };
      try {
        record = JSON.parse(line);
      } catch {
        return { ok: false, count, ...at, why: "not a JSON record (edited or truncated)" };
      }
      if (typeof record.prev !== "string") return { ok: false, count, ...at, why: "has no prev hash" };
      if (prev !== undefined && record.prev !== prev) {
        return {
          ok: false,
          count,
          ...at,
          why: "its prev hash does not match the line before it (that line was edited, or lines were removed or reordered)",
        };
      }
      prev = sha256(line);
      count++;
    }
  }
  return { ok: true, count };
}

/**
 * `<bin> audit verify <file>...`: prints the outcome and returns the exit code (0 intact, 1 broken,
 * 2 usage or unreadable file).
 */
export function auditCommand(argv: readonly string[], out = process.stdout, err = process.stderr): number {
  const [verb, ...files] = argv;
  if (verb !== "verify" || files.length === 0) {
    err.write("Usage: <bin> audit verify <file> [<next file>...]  (rotated files oldest first)\n");
    return 2;
  }
  let result: VerifyResult;
  try {
    result = verifyAudit(files);
  } catch (error) {
    err.write(`audit verify: ${(error as Error).message}\n`);
    return 2;
  }
  if (result.ok) {
    out.write(`ok: ${result.count} records, chain intact\n`);
    return 0;
  }
  out.write(`broken: ${result.file} line ${result.line}: ${result.why} (${result.count} records before it hold)\n`);
  return 1;
}
