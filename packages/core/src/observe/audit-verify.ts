import { readFileSync } from "node:fs";
import { GENESIS, sha256 } from "./audit.js";
import { type Head, headPathOf, readHead } from "./audit-head.js";

export type VerifyResult =
  | { ok: true; count: number; notes: string[] }
  | { ok: false; count: number; file: string; line: number; why: string };

type Broken = Extract<VerifyResult, { ok: false }>;

/** One file's lines as the bytes they span, so a head's byte offset can be matched to a line. */
function linesOf(file: string): { text: string; end: number }[] {
  const buf = readFileSync(file);
  const out: { text: string; end: number }[] = [];
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl + 1;
    out.push({ text: buf.toString("utf8", start, nl < 0 ? buf.length : nl), end });
    start = end;
  }
  return out;
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
    const lines = linesOf(file);
    for (const [i, { text }] of lines.entries()) {
      const at = { ok: false as const, count, file, line: i + 1 };
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
    }
    const head = readHead(file);
    if (typeof head === "string") return { ok: false, count, file, line: lines.length + 1, why: head };
    if (head) {
      const broken = checkEnd(file, lines, head, count);
      if (broken) return broken;
      const named = head.bytes === 0 ? 0 : lines.findIndex((l) => l.end === head.bytes) + 1;
      const after = lines.length - named;
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
function checkEnd(file: string, lines: { text: string; end: number }[], head: Head, count: number): Broken | undefined {
  const headFile = headPathOf(file);
  if (head.bytes === 0) {
    const first = lines[0];
    if (first && (JSON.parse(first.text) as { prev: string }).prev !== head.sha256) {
      return {
        ok: false,
        count,
        file,
        line: 1,
        why: `its prev hash is not the one ${headFile} holds for the first line`,
      };
    }
    return undefined;
  }
  const size = lines.at(-1)?.end ?? 0;
  if (head.bytes > size) {
    return {
      ok: false,
      count,
      file,
      line: lines.length + 1,
      why: `the file ends at byte ${size}, but ${headFile} says its last record ends at byte ${head.bytes}: records were removed from its end`,
    };
  }
  const at = lines.findIndex((l) => l.end >= head.bytes);
  const line = lines[at];
  if (line?.end !== head.bytes || sha256(line.text) !== head.sha256) {
    return {
      ok: false,
      count,
      file,
      line: at + 1,
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
