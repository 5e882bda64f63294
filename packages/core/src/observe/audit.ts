import { hash } from "node:crypto";
import { closeSync, fstatSync, openSync, writeSync } from "node:fs";
import { log } from "../base/logger.js";
import { redactor } from "../base/redact.js";
import { HeadWriter, headPathOf, lineEndingAt, readHead } from "./audit-head.js";

/** The `prev` of a chain's very first line: nothing came before it. */
export const GENESIS = "0".repeat(64);

// The one-shot digest: createHash builds a stream-capable Hash object per record, several times dearer.
export const sha256 = (s: string | Buffer): string => hash("sha256", s, "hex");

/**
 * How long the head may trail the file. A short call's intent and outcome share one update, made
 * once its answer has left; a record younger than this is not yet covered against a cut.
 */
const HEAD_DELAY_MS = 10;

/**
 * An append-only JSON-lines audit file with a hash chain: every line carries `prev`, the sha256 of
 * the line before it (its bytes without the newline), so an edited, removed or reordered line
 * breaks the chain at the line after it (`verifyAudit`); the head beside the file shows lines cut
 * from its end (audit-head.ts). Each record is written with one synchronous write(2) on an
 * O_APPEND descriptor before the call it announces goes upstream: once write returns the line is
 * in the kernel, so a SIGKILL of the server cannot lose it (a power loss can; fsync per record
 * would cost milliseconds a call). What need not hold the call up comes later: an outcome at the
 * end of the event loop's turn, once the answer has left (writeSoon); the hash of the last line
 * when the next record or the head needs it; the head's update within HEAD_DELAY_MS. A kill in
 * between leaves records past the head's end, which verify accepts.
 *
 * A record that cannot be written (permissions, disk full) marks the log failed; the caller refuses
 * the calls it would have audited. `reopen` (SIGHUP) opens the path again, so a rotated file starts
 * with a line whose `prev` is the hash of the old file's last line.
 */
export class AuditLog {
  #fd: number | undefined;
  #head: HeadWriter | undefined;
  #size = 0;
  #prev = GENESIS;
  /** The last line written, while its hash (#prev's next value) is not computed yet. */
  #unhashed: Buffer | undefined;
  #pending: Record<string, unknown>[] = [];
  #headTimer: NodeJS.Timeout | undefined;
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
   * A record that must not delay the answer it follows (a call's outcome): written at the end of
   * the current turn of the event loop, once the answer is on its way. Any record written before
   * then writes it first, so the file keeps the order in which things happened (and the chain with it).
   */
  writeSoon(record: Record<string, unknown>): void {
    this.#pending.push(record);
    if (this.#pending.length === 1) setImmediate(() => this.#flushPending());
    this.#scheduleHead();
  }

  /** Appends one record (adds `prev`); throws AuditUnavailable when the line could not be written. */
  write(record: Record<string, unknown>): void {
    this.#append(record);
    this.#scheduleHead();
  }

  #append(record: Record<string, unknown>): void {
    if (this.#pending.length) this.#flushPending();
    if (this.#fd === undefined) this.#open(false);
    if (this.#fd === undefined) throw new AuditUnavailable(this.#error ?? "audit log not open");
    // Redacted like every other line that leaves the process: a credential inside an argument
    // (a command line with a token) never reaches the file.
    const line = redactor.redact(JSON.stringify({ ...record, prev: this.#lastHash() }));
    const bytes = Buffer.from(`${line}\n`, "utf8");
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(this.#fd, bytes, done);
    } catch (error) {
      this.#fail(error);
      throw new AuditUnavailable(this.#error ?? String(error));
    }
    this.#unhashed = bytes.subarray(0, bytes.length - 1);
    this.#size += bytes.length;
    this.#error = undefined;
  }

  #lastHash(): string {
    if (this.#unhashed) {
      this.#prev = sha256(this.#unhashed);
      this.#unhashed = undefined;
    }
    return this.#prev;
  }

  #scheduleHead(): void {
    // One head update for all a call writes (its intent and its outcome), once the call is done.
    this.#headTimer ??= setTimeout(() => {
      this.#headTimer = undefined;
      this.#flushPending();
      this.#writeHead();
    }, HEAD_DELAY_MS).unref();
  }

  #writeHead(): void {
    if (!this.#head) return;
    try {
      this.#head.write({ bytes: this.#size, sha256: this.#lastHash() });
    } catch (error) {
      // The record itself is on disk; only the check of the file's end is lost, and said so.
      this.#head.close();
      this.#head = undefined;
      this.#headLost(error);
    }
  }

  #headLost(error: unknown): void {
    log.error("audit head unavailable: a cut at the end of the audit log would not show", {
      file: headPathOf(this.target),
      code: (error as NodeJS.ErrnoException)?.code ?? String(error),
    });
  }

  #flushPending(): void {
    for (const record of this.#pending.splice(0)) {
      try {
        this.#append(record);
      } catch {
        // An outcome that cannot be written: its intent is on disk, and the failure is reported
        // and refuses the next call that must be audited.
      }
    }
  }

  /** Rotation: closes the descriptor and opens the path again, continuing the chain. */
  reopen(): void {
    this.close();
    this.#open(false);
  }

  close(): void {
    clearTimeout(this.#headTimer);
    this.#headTimer = undefined;
    this.#flushPending();
    this.#writeHead();
    if (this.#fd !== undefined && this.#fd > 2) closeSync(this.#fd);
    this.#fd = undefined;
    this.#head?.close();
    this.#head = undefined;
  }

  #open(first: boolean): void {
    if (this.target === "stderr") {
      this.#fd = 2;
      return;
    }
    try {
      const fd = openSync(this.target, "a", 0o600);
      this.#size = fstatSync(fd).size;
      // At start-up, a file that already holds lines continues its own chain (a restart is not a
      // break); after a rotation the in-memory hash of the old file's last line links the two.
      if (first) this.#prev = this.#continueFrom(this.#size);
      this.#fd = fd;
      this.#error = undefined;
    } catch (error) {
      this.#fail(error);
      return;
    }
    try {
      this.#head = HeadWriter.open(this.target, this.#fd);
    } catch (error) {
      this.#headLost(error);
    }
    this.#writeHead();
  }

  /**
   * The `prev` of the first record a start appends: the hash of the file's last line, unless its
   * head says the file once went further or ended in another line. Then the file was cut or edited
   * while no server wrote to it, and the next record links to the head's line, so the chain breaks
   * where the cut is instead of starting again over it.
   */
  #continueFrom(size: number): string {
    const last = size > 0 ? lineEndingAt(this.target, size, false) : undefined;
    const tail = last === undefined ? GENESIS : sha256(last);
    const head = readHead(this.target);
    if (head === undefined || typeof head === "string") return tail;
    // A head at byte 0 holds the `prev` of the file's first line: the link to the file rotated away.
    if (head.bytes === 0) return size === 0 ? head.sha256 : tail;
    // Lines past the head's end are records whose head update a kill cut short; the chain checks them.
    const headLine = lineEndingAt(this.target, head.bytes);
    if (headLine !== undefined && sha256(headLine) === head.sha256) return tail;
    log.error("audit log cut or edited since its last record: the next record links to the record its head names", {
      file: this.target,
      headBytes: head.bytes,
      fileBytes: size,
    });
    return head.sha256;
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
