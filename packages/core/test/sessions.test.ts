import { describe, expect, it, vi } from "vitest";
import { LimitError, NotFoundError } from "../src/base/errors.js";
import { BoundedOutput, completeUtf8Prefix, decodeBytes, RingBuffer, StreamMemory } from "../src/streams/output.js";
import { SessionRegistry } from "../src/streams/sessions.js";

const driver = () => ({ write: vi.fn(async () => {}), close: vi.fn(async () => {}) });

describe("output buffers", () => {
  it("BoundedOutput stores up to the cap and counts the rest", () => {
    const b = new BoundedOutput(5);
    expect(b.append(Buffer.from("abc"))).toBe(true);
    expect(b.append(Buffer.from("defg"))).toBe(false);
    expect(b.toBuffer().toString()).toBe("abcde");
    expect(b.totalBytes).toBe(7);
    expect(b.truncated).toBe(true);
  });

  it("decodes valid UTF-8 as text, binary as base64, and forgives a character cut by the cap", () => {
    expect(decodeBytes(Buffer.from("héllo"))).toEqual({ encoding: "utf8", text: "héllo" });
    expect(decodeBytes(Buffer.from([0xff, 0x00, 0xfe]))).toEqual({ encoding: "base64", text: "/wD+" });
    const cut = Buffer.from("ab€").subarray(0, 4); // € is 3 bytes; keep 2 of them
    expect(completeUtf8Prefix(cut)).toBe(2);
    expect(decodeBytes(cut, true)).toEqual({ encoding: "utf8", text: "ab" });
  });

  it("a session read cuts before a split character, and answers base64 for bytes that are not UTF-8", () => {
    const reg = new SessionRegistry();
    const s = reg.add("a", "1", driver());
    s.push(Buffer.from("ab€"));
    expect(s.read(0, 4)).toMatchObject({ encoding: "utf8", text: "ab", offset: 0, nextOffset: 2 });
    expect(s.read(2, 10)).toMatchObject({ encoding: "utf8", text: "€", nextOffset: 5 });
    s.push(Buffer.from([0xff, 0x00, 0xfe]));
    expect(s.read(5, 10)).toMatchObject({ encoding: "base64", text: "/wD+", nextOffset: 8 });
    expect(s.readBytes(0, 3)).toMatchObject({ encoding: "utf8", nextOffset: 2 });
    expect(s.readBytes(0, 3).data.toString()).toBe("ab");
  });

  it("RingBuffer reads by absolute offset and reports dropped bytes", () => {
    const r = new RingBuffer(8);
    r.write(Buffer.from("0123456789")); // keeps 23456789
    expect(r.startOffset).toBe(2);
    expect(r.endOffset).toBe(10);
    const first = r.read(0, 100);
    expect(first.missedBytes).toBe(2);
    expect(first.data.toString()).toBe("23456789");
    r.write(Buffer.from("ab"));
    const next = r.read(first.nextOffset, 100);
    expect(next.data.toString()).toBe("ab");
    expect(next.nextOffset).toBe(12);
    expect(r.read(12, 10).data.length).toBe(0);
  });

  it("RingBuffer keeps exactly the newest bytes through any mix of writes, wraps and reads", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const capacity of [1, 5, 64, 5000]) {
      const r = new RingBuffer(capacity);
      let all = "";
      for (let i = 0; i < 400; i++) {
        const chunk = String.fromCharCode(97 + (i % 26)).repeat(rand(capacity * 2 + 2));
        r.write(Buffer.from(chunk));
        all += chunk;
        const kept = all.slice(Math.max(0, all.length - capacity));
        expect(r.endOffset).toBe(all.length);
        expect(r.startOffset).toBe(all.length - kept.length);
        const from = rand(all.length + 1);
        const max = 1 + rand(capacity + 1);
        const got = r.read(from, max);
        const expectedFrom = Math.max(from, r.startOffset);
        expect(got.offset).toBe(expectedFrom);
        expect(got.missedBytes).toBe(Math.max(0, r.startOffset - from));
        expect(got.data.toString()).toBe(all.slice(expectedFrom, Math.min(all.length, expectedFrom + max)));
      }
    }
  });
});

describe("SessionRegistry", () => {
  it("opens, reads by offset after exit, and closes through the driver", async () => {
    const reg = new SessionRegistry();
    const d = driver();
    const s = reg.add("exec", "sh", d);
    s.push(Buffer.from("hello\n"));
    s.markExited(0);
    const r = reg.get(s.id).read(0, 100);
    expect(r).toMatchObject({ text: "hello\n", nextOffset: 6, state: "exited", exitCode: 0 });
    await reg.close(s.id);
    expect(d.close).toHaveBeenCalledOnce();
    expect(() => reg.get(s.id)).toThrow(NotFoundError);
  });

  it("waitForRoom: a producer that can pause waits for the reader instead of dropping output", async () => {
    const reg = new SessionRegistry({ bufferBytes: 10 });
    const s = reg.add("logs", "l", driver());
    expect(await s.waitForRoom(10, 0)).toBe(true);
    s.push(Buffer.from("0123456"));
    expect(s.unreadBytes).toBe(7);
    expect(await s.waitForRoom(4, 0)).toBe(false); // 7 + 4 > 10, and no time to wait
    const waiting = s.waitForRoom(4, 5_000);
    expect(s.read(0, 2).text).toBe("01"); // the reader takes 2: 5 unread, 4 more fit
    expect(await waiting).toBe(true);
    s.push(Buffer.from("789a"));
    expect(s.read(2, 100)).toMatchObject({ text: "23456789a", missedBytes: 0 });
    expect(s.unreadBytes).toBe(0);
    // A wait ends when the session ends or the producer's signal aborts; oversized pushes never wait.
    s.push(Buffer.from("bcdefghijk"));
    const aborted = new AbortController();
    const gone = s.waitForRoom(1, 5_000, aborted.signal);
    aborted.abort();
    expect(await gone).toBe(false);
    expect(await s.waitForRoom(11, 5_000)).toBe(true);
    const ended = s.waitForRoom(1, 5_000);
    s.markExited(0);
    expect(await ended).toBe(true);
    await reg.closeAll();
  });

  it("enforces the session cap", () => {
    const reg = new SessionRegistry({ maxSessions: 2 });
    reg.add("a", "1", driver());
    reg.add("a", "2", driver());
    expect(() => reg.add("a", "3", driver())).toThrow(LimitError);
  });

  it("expires idle sessions and closes their upstream", async () => {
    const reg = new SessionRegistry({ idleMs: 1_000 });
    const d = driver();
    const s = reg.add("a", "1", d);
    expect(await reg.sweep(Date.now() + 500)).toBe(0);
    expect(await reg.sweep(s.lastActivity + 1_001)).toBe(1);
    expect(d.close).toHaveBeenCalledOnce();
    expect(reg.size).toBe(0);
    await reg.closeAll();
  });

  it("gatherOutput keeps gathering while output flows, until maxBytes are there", async () => {
    const reg = new SessionRegistry();
    const s = reg.add("a", "1", driver());
    s.push(Buffer.from("x"));
    const flowing = setInterval(() => s.push(Buffer.alloc(100, 0x61)), 2);
    // A quiet gap far longer than the pushes' interval: only maxBytes (or the limit) ends it.
    await s.gatherOutput(0, 1_000, 1_000, 60_000);
    clearInterval(flowing);
    expect(s.output.endOffset).toBeGreaterThanOrEqual(1_000);
    await reg.closeAll();
  });

  it("a session is paced once its producer waits for room (a live stream's never is)", async () => {
    const reg = new SessionRegistry({ bufferBytes: 8 });
    const live = reg.add("a", "live", driver());
    const paced = reg.add("b", "paced", driver());
    expect(paced.paced).toBe(false);
    expect(await paced.waitForRoom(4, 0)).toBe(true);
    expect(paced.paced).toBe(true);
    live.push(Buffer.from("0123456789"));
    expect(live.paced).toBe(false);
    await reg.closeAll();
  });

  it("gatherOutput stops at a quiet gap, at exit, and at once when maxBytes are already there", async () => {
    const reg = new SessionRegistry();
    const s = reg.add("a", "1", driver());
    s.push(Buffer.from("burst\n"));
    // Nothing more comes: the quiet gap ends the wait although maxBytes never arrive.
    await s.gatherOutput(0, 1_000_000, 10, 60_000);
    expect(s.output.endOffset).toBe(6);
    await s.gatherOutput(0, 6, 60_000, 60_000); // already there: no wait
    const ended = s.gatherOutput(0, 1_000_000, 60_000, 60_000);
    s.markExited(0);
    await ended;
    await reg.closeAll();
  });

  it("wakes a waiting reader when output arrives", async () => {
    const reg = new SessionRegistry();
    const s = reg.add("a", "1", driver());
    const started = Date.now();
    setTimeout(() => s.push(Buffer.from("x")), 50);
    await s.waitForOutput(0, 5_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    await reg.closeAll();
  });
});

describe("session limits from the environment", () => {
  it("reads MCP_MAX_STREAM_SESSIONS / MCP_STREAM_BUFFER_BYTES / MCP_STREAM_IDLE_SECONDS / MCP_STREAM_MEMORY_BYTES and names a bad one", async () => {
    const { sessionLimitsFromEnv } = await import("../src/streams/sessions.js");
    const defaults = sessionLimitsFromEnv({});
    expect(defaults).toMatchObject({ maxSessions: 32, bufferBytes: 4 * 1024 * 1024, idleMs: 600_000 });
    expect(defaults.memory?.limit).toBe(256 * 1024 * 1024);
    const set = sessionLimitsFromEnv({
      MCP_MAX_STREAM_SESSIONS: "4",
      MCP_STREAM_BUFFER_BYTES: "2048",
      MCP_STREAM_IDLE_SECONDS: "5",
      MCP_STREAM_MEMORY_BYTES: "1048576",
    });
    expect(set).toMatchObject({ maxSessions: 4, bufferBytes: 2048, idleMs: 5_000 });
    expect(set.memory?.limit).toBe(1048576);
    // Registries are built per MCP session from the same environment: one budget for all of them.
    expect(sessionLimitsFromEnv({ MCP_STREAM_MEMORY_BYTES: "1048576" }).memory).toBe(set.memory);
    expect(() => sessionLimitsFromEnv({ MCP_MAX_STREAM_SESSIONS: "lots" })).toThrow(/MCP_MAX_STREAM_SESSIONS/);
    expect(() => sessionLimitsFromEnv({ MCP_STREAM_MEMORY_BYTES: "-1" })).toThrow(/MCP_STREAM_MEMORY_BYTES/);
  });
});

describe("output of all sessions together is capped (StreamMemory)", () => {
  const MiB = 1024 * 1024;
  const fill = (r: RingBuffer, bytes: number, byte = 0x61) => {
    for (let n = 0; n < bytes; n += 64 * 1024) r.write(Buffer.alloc(Math.min(64 * 1024, bytes - n), byte));
  };

  it("a buffer grows only as far as the budget allows, keeps 64 KiB regardless, and grows again once another gives back", () => {
    const memory = new StreamMemory(3 * MiB);
    const a = new RingBuffer(4 * MiB, memory);
    const b = new RingBuffer(4 * MiB, memory);
    fill(a, 4 * MiB);
    expect(memory.used).toBe(3 * MiB);
    expect(a.window).toBe(3 * MiB);
    expect(a.read(0, 8 * MiB)).toMatchObject({ missedBytes: MiB, offset: MiB });
    fill(b, MiB, 0x62);
    // The budget is spent: b still keeps its first 64 KiB, and the newest bytes are what it keeps.
    expect(b.window).toBe(64 * 1024);
    const kept = b.read(0, MiB);
    expect(kept.data.length).toBe(64 * 1024);
    expect(kept.missedBytes).toBe(MiB - 64 * 1024);
    expect(memory.used).toBe(3 * MiB + 64 * 1024);
    a.release();
    expect(memory.used).toBe(64 * 1024);
    a.write(Buffer.from("after release"));
    expect(memory.used).toBe(64 * 1024);
    fill(b, 2 * MiB, 0x63);
    expect(b.window).toBe(3 * MiB);
    expect(b.read(b.endOffset - 2 * MiB, 2 * MiB).data.equals(Buffer.alloc(2 * MiB, 0x63))).toBe(true);
  });

  it("closing a session gives its buffer back; a paced producer waits at the smaller window instead of dropping", async () => {
    const memory = new StreamMemory(MiB);
    const reg = new SessionRegistry({ maxSessions: 4, bufferBytes: 4 * MiB, idleMs: 60_000, memory });
    const big = reg.add("exec", "big", driver());
    fill(big.output, MiB);
    expect(memory.used).toBe(MiB);
    const paced = reg.add("logs", "paced", driver());
    expect(paced.output.window).toBe(64 * 1024);
    let pushed = 0;
    for (;;) {
      if (!(await paced.waitForRoom(16 * 1024, 0))) break;
      paced.push(Buffer.alloc(16 * 1024, 0x70));
      pushed += 16 * 1024;
    }
    expect(pushed).toBe(64 * 1024);
    expect(paced.output.read(0, MiB)).toMatchObject({ missedBytes: 0 });
    await reg.close(big.id);
    expect(memory.used).toBe(64 * 1024);
    expect(paced.output.window).toBe(MiB);
    await reg.closeAll();
    expect(memory.used).toBe(0);
  });
});
