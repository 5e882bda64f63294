import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MarkScanner, wrapCommand } from "../src/exec-wrapper.js";

function scan(nonce: string, frames: Buffer[]) {
  const out: Buffer[] = [];
  let pid: number | undefined;
  let exitCode: number | undefined;
  const s = new MarkScanner(nonce, {
    data: (b) => out.push(Buffer.from(b)),
    started: (p) => {
      pid = p;
    },
    ended: (c) => {
      exitCode = c;
    },
  });
  for (const f of frames) s.push(f);
  return { output: Buffer.concat(out), pid, exitCode, scanner: s };
}

describe("MarkScanner", () => {
  const nonce = "0123456789abcdef";
  const start = Buffer.from(`\x1e${nonce}+42\n`);
  const end = (code: number) => Buffer.from(`\x1e${nonce}=${code}\n`);

  it("strips both marks, whatever the frame boundaries, and keeps every byte between them", () => {
    const body = Buffer.from([0x1e, 0x41, 0x00, 0xff, 0x1e, ...Buffer.from(nonce.slice(0, 5)), 0x0a, 0x1e]);
    const whole = Buffer.concat([Buffer.from("\r\n"), start, body, end(3), Buffer.from("\r\n")]);
    for (let size = 1; size <= whole.length; size++) {
      const frames: Buffer[] = [];
      for (let i = 0; i < whole.length; i += size) frames.push(whole.subarray(i, i + size));
      const r = scan(nonce, frames);
      expect(r.pid, `frames of ${size}`).toBe(42);
      expect(r.exitCode, `frames of ${size}`).toBe(3);
      expect(r.output.equals(body), `frames of ${size}`).toBe(true);
    }
  });

  it("a mark with another nonce is output, not an end", () => {
    const forged = Buffer.from("\x1effffffffffffffff=0\n");
    const r = scan(nonce, [start, forged, end(0)]);
    expect(r.output.equals(forged)).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it("a TTY's CRLF marks are found; without a start mark what came is given back at the end", () => {
    const r = scan(nonce, [Buffer.from(`\r\n\x1e${nonce}+7\r\nhi\r\n\x1e${nonce}=0\r\n`)]);
    expect(r).toMatchObject({ pid: 7, exitCode: 0 });
    expect(r.output.toString()).toBe("hi\r\n");
    const given: Buffer[] = [];
    const none = new MarkScanner(nonce, { data: (b) => given.push(Buffer.from(b)) });
    none.push(Buffer.from("sh: not found\n"));
    expect(given).toEqual([]);
    none.flush();
    expect(Buffer.concat(given).toString()).toBe("sh: not found\n");
  });
});

/** Runs a wrapped command with the local sh, as Docker would run the exec, driving the handshake. */
function runLocally(cmd: string[], stdin: Buffer[]): Promise<{ out: Buffer; code: number | null }> {
  return new Promise((resolve) => {
    const [file, ...args] = cmd;
    const child = spawn(file as string, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => {
      out.push(b);
      // The end mark: send ACK, as the client does.
      if (b.includes(0x3d)) child.stdin.write("\n");
    });
    child.on("close", (code) => resolve({ out: Buffer.concat(out), code }));
    for (const b of stdin) child.stdin.write(b);
  });
}

describe("the wrapper script (local sh)", () => {
  it("waits for GO, feeds exactly the stdin bytes then EOF, keeps the exit status, merges stderr", async () => {
    const w = wrapCommand(["sh", "-c", "wc -c; echo err >&2; exit 5"], {
      stdinLength: 5,
      mergeStderr: true,
      tty: false,
      mode: "once",
    });
    const r = await runLocally(w.cmd, [Buffer.from("\nabcde")]);
    const seen = scan(w.nonce, [r.out]);
    expect(seen.output.toString().replace(/^\s+/, "")).toBe("5\nerr\n");
    expect(seen.exitCode).toBe(5);
    expect(r.code).toBe(5);
    expect(seen.pid).toBeGreaterThan(1);
  });

  it("without stdin the command reads /dev/null (it cannot hang on the handshake's pipe)", async () => {
    const w = wrapCommand(["cat"], { mergeStderr: true, tty: false, mode: "once" });
    const r = await runLocally(w.cmd, [Buffer.from("\n")]);
    expect(scan(w.nonce, [r.out])).toMatchObject({ exitCode: 0 });
    expect(r.code).toBe(0);
  });
});
