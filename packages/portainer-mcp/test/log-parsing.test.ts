import { describe, expect, it } from "vitest";
import { dockerTime, LogDemuxer, LogRenderer, LogTail } from "../src/docker-logs.js";
import { computeStats } from "../src/docker-stats.js";
import { secondsKey, timestampedLines, timestampKey } from "../src/log-follow.js";

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
    const lines = timestampedLines([
      { stream: "stdout", data: Buffer.from("2024-05-01T12:00:00.1Z a\n2024-05-01T12:00:00.02Z b\n") },
    ]);
    expect(lines.map((l) => l.key)).toEqual(["001714564800.100000000", "001714564800.020000000"]);
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
