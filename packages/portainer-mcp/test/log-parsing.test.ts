import { describe, expect, it } from "vitest";
import { dockerTime, LogDemuxer, LogRenderer, LogTail } from "../src/docker-logs.js";
import { computeStats } from "../src/docker-stats.js";
import {
  EntryCopier,
  FollowFilter,
  type LogEntry,
  LogEntrySplitter,
  secondsKey,
  timestampKey,
} from "../src/log-follow.js";

const frame = (stream: number, text: string) => {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
};

describe("Docker log stream parsing", () => {
  it("demultiplexes frames split anywhere, keeping streams and order", () => {
    const bytes = Buffer.concat([frame(1, "a\n"), frame(2, "é".repeat(100)), frame(1, "b\n")]);
    for (const cut of [1, 3, 8, 9, 11, 50, bytes.length - 1]) {
      const d = new LogDemuxer();
      const tail = new LogTail(1 << 20);
      for (const p of [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))]) tail.add(p);
      expect(tail.pieces.map((p) => [p.stream, p.data.toString()])).toEqual([
        ["stdout", "a\n"],
        ["stderr", "é".repeat(100)],
        ["stdout", "b\n"],
      ]);
      expect(d.midFrame).toBe(false);
    }
    expect(() => new LogDemuxer().push(Buffer.from("plain text, not frames"))).toThrow(/not a multiplexed/);
  });

  it("marks stderr lines once, also across chunks", () => {
    const r = new LogRenderer();
    const out = [
      r.render({ stream: "stdout", data: Buffer.from("o1\n") }),
      r.render({ stream: "stderr", data: Buffer.from("e1\ne") }),
      r.render({ stream: "stderr", data: Buffer.from("2\n") }),
      r.render({ stream: "stdout", data: Buffer.from("o2\n") }),
    ].join("");
    expect(out).toBe("o1\n[stderr] e1\n[stderr] e2\no2\n");
  });

  it("times: RFC 3339 (nanoseconds kept), Unix seconds, durations back from now", () => {
    expect(dockerTime("since", "2024-05-01T12:00:00Z")).toBe("1714564800.000000000");
    expect(dockerTime("since", "2024-05-01T12:00:00.123456789Z")).toBe("1714564800.123456789");
    expect(dockerTime("since", 1714564800.5)).toBe("1714564800.500000000");
    expect(dockerTime("since", "1h30m", 10_000_000)).toBe(`${10_000 - 5400}.000000000`);
    expect(() => dockerTime("until", "soon")).toThrow(/Invalid argument "until"/);
    expect(timestampKey("2024-05-01T12:00:00.5Z")).toBe("001714564800.500000000");
    expect(secondsKey("1714564800.5")).toBe("001714564800.500000000");
    expect(["2024-05-01T12:00:00.1Z", "2024-05-01T12:00:00.02Z"].map(timestampKey)).toEqual([
      "001714564800.100000000",
      "001714564800.020000000",
    ]);
  });

  it("cuts an answer into entries: frames (partial messages too) and TTY lines, joined across chunks", () => {
    const bytes = Buffer.concat([frame(1, "T1 a\n"), frame(2, "T2 long"), frame(2, "T3 er\n"), frame(1, "T4 b\n")]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const s = new LogEntrySplitter(false);
      const got: LogEntry[] = [];
      s.push(bytes.subarray(0, cut), (e) => got.push(e));
      s.push(bytes.subarray(cut), (e) => got.push(e));
      s.end((e) => got.push(e));
      expect(got.map((e) => [e.stream, e.data.toString()])).toEqual([
        ["stdout", "T1 a\n"],
        ["stderr", "T2 long"],
        ["stderr", "T3 er\n"],
        ["stdout", "T4 b\n"],
      ]);
    }
    const tty = new LogEntrySplitter(true);
    const lines: string[] = [];
    tty.push(Buffer.from("one\r\ntw"), (e) => lines.push(e.data.toString()));
    tty.push(Buffer.from("o\r\nthree"), (e) => lines.push(e.data.toString()));
    tty.end((e) => lines.push(e.data.toString()));
    expect(lines).toEqual(["one\r\n", "two\r\n", "three"]);
  });

  it("copies whole entries as the splitter and renderer show them, handing on only whole entries", () => {
    const mux = Buffer.concat([
      frame(1, "o1\n"),
      frame(2, "e1\ne"),
      frame(2, "2\n"),
      frame(1, "partial "),
      frame(1, "message\n"),
      frame(1, ""),
      frame(2, "é\n"),
      frame(1, "last\n"),
    ]);
    const tty = Buffer.from("one\r\ntwo\nthr€e\nno newline");
    for (const [bytes, isTty] of [
      [mux, false],
      [tty, true],
    ] as const) {
      // The reference: entries cut by the splitter, rendered one by one.
      const renderer = new LogRenderer();
      const splitter = new LogEntrySplitter(isTty);
      const want: Buffer[] = [];
      const take = (e: LogEntry) => want.push(renderer.renderBytes({ stream: e.stream, data: e.data }));
      splitter.push(bytes, take);
      splitter.end(take);
      for (let a = 1; a < bytes.length; a++) {
        for (const b of [a + 1, a + 7, bytes.length]) {
          const copier = new EntryCopier(isTty, new LogRenderer());
          const got: Buffer[] = [];
          const counts: number[] = [];
          for (const chunk of [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]) {
            got.push(Buffer.from(copier.push(chunk))); // the copier reuses its buffer
            counts.push(copier.entries);
            // What was handed on so far is exactly the first `entries` entries.
            expect(Buffer.concat(got).toString()).toBe(Buffer.concat(want.slice(0, copier.entries)).toString());
          }
          got.push(copier.end());
          expect(Buffer.concat(got).toString()).toBe(Buffer.concat(want).toString());
          expect(copier.entries).toBe(want.length);
        }
      }
    }
    expect(() => new EntryCopier(false, new LogRenderer()).push(Buffer.from("plain text, not frames"))).toThrow(
      /not a multiplexed/,
    );
  });

  it("follow filter: skips what earlier polls showed, and knows where to resume after any entry", () => {
    const t = (s: string, text: string) => Buffer.from(`2024-05-01T12:00:${s}Z ${text}\n`);
    // A first answer: every entry is new; the cursor ends at the newest time, 2 entries seen at it.
    const first = new FollowFilter({ key: undefined, seen: 0 });
    const a = [t("00.5", "a"), t("01", "b"), t("01", "c")];
    expect(a.map((e) => e.subarray(first.accept(e)).toString())).toEqual(["a\n", "b\n", "c\n"]);
    expect(first.cursor).toEqual({ key: "001714564801.000000000", seen: 2 });
    // since=<cursor> answers from that time on: the two entries at it are skipped, a third is new.
    const second = new FollowFilter(first.cursor);
    const b = [t("01", "b"), t("01", "c"), t("01", "d"), t("02.25", "e")];
    expect(b.map((e) => second.accept(e)).map((at, i) => (at < 0 ? null : b[i]?.subarray(at).toString()))).toEqual([
      null,
      null,
      "d\n",
      "e\n",
    ]);
    expect(second.cursor).toEqual({ key: "001714564802.250000000", seen: 1 });
    // Stopped after "d" (a poll let go while the reader was away): resume after d, not after c.
    const third = new FollowFilter(first.cursor);
    for (const e of b.slice(0, 3)) third.accept(e);
    expect(third.cursor).toEqual({ key: "001714564801.000000000", seen: 3 });
    // Nothing accepted: the cursor stays where it was.
    expect(new FollowFilter(first.cursor).cursor).toEqual(first.cursor);
  });
});

describe("docker stats arithmetic (the CLI's formulas)", () => {
  it("CPU % from deltas × online CPUs, memory without inactive file cache, I/O sums", () => {
    const s = computeStats({
      read: "2024-05-01T12:00:01Z",
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 10_000_000_000 },
      memory_stats: { usage: 100 * 1024 * 1024, limit: 1024 * 1024 * 1024, stats: { inactive_file: 36 * 1024 * 1024 } },
      networks: { eth0: { rx_bytes: 1000, tx_bytes: 10 }, eth1: { rx_bytes: 24, tx_bytes: 5 } },
      blkio_stats: {
        io_service_bytes_recursive: [
          { op: "Read", value: 4096 },
          { op: "Write", value: 100 },
          { op: "read", value: 4 },
          { op: "Total", value: 9999 },
        ],
      },
      pids_stats: { current: 3 },
    });
    expect(s).toEqual({
      read: "2024-05-01T12:00:01Z",
      cpuPercent: 20,
      onlineCpus: 2,
      memoryUsedBytes: 64 * 1024 * 1024,
      memoryLimitBytes: 1024 * 1024 * 1024,
      memoryPercent: 6.25,
      networkRxBytes: 1024,
      networkTxBytes: 15,
      blockReadBytes: 4100,
      blockWriteBytes: 100,
      pids: 3,
    });
    // cgroup v1 names the cache total_inactive_file (it wins); no online_cpus → the per-CPU list length
    const v1 = computeStats({
      cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 10 },
      memory_stats: { usage: 50, limit: 100, stats: { total_inactive_file: 10, inactive_file: 1 } },
    });
    expect(v1).toMatchObject({ memoryUsedBytes: 40, onlineCpus: 4 });
  });
});
