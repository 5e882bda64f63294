import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, writeSync } from "node:fs";

/**
 * A hash chain shows an edited, removed or reordered line by the line after it, so lines cut from
 * the end of the file leave nothing to show them. The head closes that gap: a small file beside
 * the log (`<log>.head`) that the server rewrites after every record with where the file ends and
 * the sha256 of its last line. `audit verify` compares the two; a restart compares them too, so a
 * log cut while the server was down breaks its chain at the next record.
 *
 * Only a regular file gets a head: stderr, a pipe or a device has no end to cut.
 */
export const headPathOf = (log: string): string => `${log}.head`;

export interface Head {
  /** The size of the log after its last record, newline included. */
  bytes: number;
  /** The sha256 of that record's line (without its newline): the next record's `prev`. */
  sha256: string;
}

// A fixed width, so each update is one positioned write over the whole of the previous one.
const WIDTH = 160;

/** The head file of one log, kept open; a head that cannot be written is reported, never fatal. */
export class HeadWriter {
  readonly #fd: number;
  readonly #buf = Buffer.alloc(WIDTH, " ");

  private constructor(fd: number) {
    this.#fd = fd;
    this.#buf[WIDTH - 1] = 0x0a;
  }

  /** Opens (creating) the head of a log whose descriptor is `logFd`, or undefined for no head. */
  static open(log: string, logFd: number): HeadWriter | undefined {
    if (!fstatSync(logFd).isFile()) return undefined;
    // Not O_APPEND (Linux would append every positioned write) and not O_TRUNC (a kill between the
    // truncation and the first write would leave an empty head).
    return new HeadWriter(openSync(headPathOf(log), constants.O_WRONLY | constants.O_CREAT, 0o600));
  }

  write(head: Head): void {
    const json = `{"bytes":${head.bytes},"sha256":"${head.sha256}"}`;
    this.#buf.fill(0x20, 0, WIDTH - 1);
    this.#buf.write(json, 0, "latin1");
    writeSync(this.#fd, this.#buf, 0, WIDTH, 0);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** The head beside a log; undefined when there is none, a string saying why when it cannot be read. */
export function readHead(log: string): Head | undefined | string {
  let text: string;
  try {
    text = readFileSync(headPathOf(log), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return `cannot read ${headPathOf(log)} (${(error as NodeJS.ErrnoException).code ?? error})`;
  }
  try {
    const head = JSON.parse(text) as Partial<Head>;
    if (Number.isSafeInteger(head.bytes) && (head.bytes as number) >= 0 && /^[0-9a-f]{64}$/.test(head.sha256 ?? "")) {
      return head as Head;
    }
  } catch {}
  return `${headPathOf(log)} is not a head record`;
}

/**
 * The line of `log` that ends at byte `end` (its newline, if it has one, just before `end`), read
 * backwards from there. With `strict`, undefined unless a newline ends it: a head names the end of
 * a whole record, and anything else there means the file was changed.
 */
export function lineEndingAt(log: string, end: number, strict = true): string | undefined {
  if (end <= 0) return undefined;
  const fd = openSync(log, "r");
  try {
    const last = Buffer.alloc(1);
    if (readSync(fd, last, 0, 1, end - 1) < 1) return undefined;
    const newline = last[0] === 0x0a;
    if (strict && !newline) return undefined;
    const chunks: Buffer[] = [];
    let stop = newline ? end - 1 : end;
    while (stop > 0) {
      const n = Math.min(65536, stop);
      const buf = Buffer.alloc(n);
      if (readSync(fd, buf, 0, n, stop - n) < n) return undefined;
      const cut = buf.lastIndexOf(0x0a);
      if (cut >= 0) {
        chunks.unshift(buf.subarray(cut + 1));
        break;
      }
      chunks.unshift(buf);
      stop -= n;
    }
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
