import { closeSync, openSync, readSync } from "node:fs";
import { GENESIS, sha256 } from "./audit.js";
import { type Head, headPathOf, readHead } from "./audit-head.js";

export type VerifyResult =
  | { ok: true; count: number; notes: string[] }
  | { ok: false; count: number; file: string; line: number; why: string };

/**
 * A file's lines with the byte each ends at (newline included), read a chunk at a time: a log
 * that has grown for months is checked in constant memory.
 */
function* linesOf(file: string): Generator<{ text: string; end: number }> {
  const fd = openSync(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let carry: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let start = 0;
      while (start < n) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl < 0 || nl >= n) {
          carry.push(Buffer.from(chunk.subarray(start, n)));
          break;
        }
        const piece = chunk.subarray(start, nl);
        const text = carry.length ? Buffer.concat([...carry, piece]).toString("utf8") : piece.toString("utf8");
        carry = [];
        yield { text, end: offset + nl + 1 };
        start = nl + 1;
      }
      offset += n;
    }
    if (carry.length) yield { text: Buffer.concat(carry).toString("utf8"), end: offset };
  } finally {
    closeSync(fd);
  }
}

/** What the end check needs from a file's lines, gathered in the one pass over them. */
interface Seen {
  lines: number;
  size: number;
  firstPrev: string | undefined;
  /** The first line ending at or after the head's byte: its number, end and hash. */
  atHead: { line: number; end: number; hash: string } | undefined;
}

/**
 * Checks the chain of one or more files, in order (rotated files oldest first): each line must be
 * JSON whose `prev` is the sha256 of the line before it, across file boundaries too. The first line
 * of the first file is the anchor: its `prev` is taken as given (GENESIS for a log that was never
 * rotated). A file with a head beside it must end where the head says (audit-head.ts).
 */
export function verifyAudit(files: readonly string[]): VerifyResult {
  let prev: string | undefined;
  let count = 0;
  const notes: string[] = [];
  for (const [index, file] of files.entries()) {
    const head = readHead(file);
    const seen: Seen = { lines: 0, size: 0, firstPrev: undefined, atHead: undefined };
    for (const { text, end } of linesOf(file)) {
      const at = { ok: false as const, count, file, line: seen.lines + 1 };
      let record: { prev?: unknown };
      try {
        record = JSON.parse(text);
      } catch {
        return { ...at, why: "not a JSON record (edited or truncated)" };
      }
      if (typeof record.prev !== "string") return { ...at, why: "has no prev hash" };
      if (prev === undefined && record.prev !== GENESIS) {
        notes.push(`${file} line 1 continues an earlier file: give that file first to check the link`);
      }
      if (prev !== undefined && record.prev !== prev) {
        return {
          ...at,
          why: "its prev hash does not match the line before it (that line was edited, or lines were removed or reordered)",
        };
      }
      prev = sha256(text);
      count++;
      seen.lines++;
      seen.size = end;
      seen.firstPrev ??= record.prev;
      if (typeof head === "object" && !seen.atHead && end >= head.bytes && head.bytes > 0) {
        seen.atHead = { line: seen.lines, end, hash: prev };
      }
    }
    if (typeof head === "string") return { ok: false, count, file, line: seen.lines + 1, why: head };
    if (head) {
      const broken = checkEnd(file, seen, head);
      if (broken) return { ok: false, count, file, ...broken };
      const after = seen.lines - (seen.atHead?.line ?? 0);
      notes.push(
        after > 0
          ? `${plural(after)} after the last one ${headPathOf(file)} names (a server stopped before it updated the head)`
          : `${file} ends where ${headPathOf(file)} says`,
      );
    } else if (index === files.length - 1) {
      notes.push(`${file} has no head file (${headPathOf(file)}), so lines cut from its end would not show`);
    }
  }
  return { ok: true, count, notes };
}

const plural = (n: number) => `${n} record${n === 1 ? "" : "s"}`;

/** Where the head says the file ends must be the end of a line whose hash the head holds. */
function checkEnd(file: string, seen: Seen, head: Head): { line: number; why: string } | undefined {
  const headFile = headPathOf(file);
  if (head.bytes === 0) {
    if (seen.firstPrev !== undefined && seen.firstPrev !== head.sha256) {
      return { line: 1, why: `its prev hash is not the one ${headFile} holds for the first line` };
    }
    return undefined;
  }
  if (head.bytes > seen.size) {
    return {
      line: seen.lines + 1,
      why: `the file ends at byte ${seen.size}, but ${headFile} says its last record ends at byte ${head.bytes}: records were removed from its end`,
    };
  }
  const at = seen.atHead;
  if (at?.end !== head.bytes || at.hash !== head.sha256) {
    return {
      line: at?.line ?? seen.lines + 1,
      why: `${headFile} names a last record ending at byte ${head.bytes} that is not this line: the file was edited, or cut and written again`,
    };
  }
  return undefined;
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
    out.write(`ok: ${result.count} records, chain intact\n${result.notes.map((n) => `  ${n}\n`).join("")}`);
    return 0;
  }
  out.write(`broken: ${result.file} line ${result.line}: ${result.why} (${result.count} records before it hold)\n`);
  return 1;
}
