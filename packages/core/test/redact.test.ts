import { describe, expect, it } from "vitest";
import { Redactor, redactor, StreamScrubber, scopedRedactor, withRedactionScope } from "../src/base/redact.js";

describe("Redactor", () => {
  it("scrubs a registered secret in raw, URL-encoded and base64 forms", () => {
    const r = new Redactor();
    const secret = "ptr_s3cr3t/value+x=";
    r.add(secret);
    const text = `key=${secret} url=?token=${encodeURIComponent(secret)} b64=${Buffer.from(secret).toString("base64")}`;
    const out = r.redact(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(Buffer.from(secret).toString("base64"));
    expect(out.match(/\[REDACTED\]/g)).toHaveLength(3);
  });

  it("deep-redacts structured values and leaves other data intact", () => {
    const r = new Redactor();
    r.add("abcdef123456");
    const value = { a: ["x abcdef123456 y", 3], b: { c: "abcdef123456" }, d: null, e: true };
    expect(r.redactValue(value)).toEqual({ a: ["x [REDACTED] y", 3], b: { c: "[REDACTED]" }, d: null, e: true });
  });

  it("copies only what it scrubs: a clean value comes back as is, the input is never changed", () => {
    const r = new Redactor();
    r.add("abcdef123456");
    const clean = { list: [{ id: "c1", tags: ["a", "b"] }], n: 2 };
    expect(r.redactValue(clean)).toBe(clean);
    const dirty = { list: [{ id: "c1" }, { id: "x abcdef123456" }], other: { k: "v" }, n: 2 };
    const out = r.redactValue(dirty);
    expect(out).toEqual({ list: [{ id: "c1" }, { id: "x [REDACTED]" }], other: { k: "v" }, n: 2 });
    expect(Object.keys(out)).toEqual(["list", "other", "n"]);
    expect(out.other).toBe(dirty.other);
    expect(out.list[0]).toBe(dirty.list[0]);
    expect(dirty.list[1]?.id).toBe("x abcdef123456");
    const keyed = { first: 1, "abcdef123456 key": 2, last: [3] };
    expect(r.redactValue(keyed)).toEqual({ first: 1, "[REDACTED] key": 2, last: [3] });
    expect(Object.keys(keyed)).toEqual(["first", "abcdef123456 key", "last"]);
  });

  it("ignores values too short to be credentials, so ordinary words survive", () => {
    const r = new Redactor();
    r.add("abc");
    expect(r.redact("abc abc")).toBe("abc abc");
    expect(r.size).toBe(0);
  });

  it("treats regex metacharacters in secrets literally", () => {
    const r = new Redactor();
    r.add("a.b*c(d)[e]");
    expect(r.redact("xa.b*c(d)[e]x aXbbc")).toBe("x[REDACTED]x aXbbc");
  });
});

describe("Redactor: keys and scopes", () => {
  it("redacts object keys that contain a secret", () => {
    const r = new Redactor();
    r.add("key-abcdef-123");
    expect(r.redactValue({ "key-abcdef-123": 1, nested: { "id key-abcdef-123": ["key-abcdef-123"] } })).toEqual({
      "[REDACTED]": 1,
      nested: { "id [REDACTED]": ["[REDACTED]"] },
    });
  });

  it("a scope's secret is scrubbed inside the scope only, and never joins the process-wide set", async () => {
    const before = redactor.size;
    const scope = scopedRedactor("alice-user-secret");
    const inside = await withRedactionScope(scope, async () => {
      await new Promise((r) => setTimeout(r, 1));
      // What the per-user client registers while it is being built stays in the scope.
      redactor.add("alice-user-secret");
      return redactor.redactValue({ text: "alice-user-secret", "alice-user-secret": true });
    });
    expect(inside).toEqual({ text: "[REDACTED]", "[REDACTED]": true });
    expect(redactor.size).toBe(before);
    expect(redactor.redact("alice-user-secret")).toBe("alice-user-secret");
  });

  it("configured secrets still apply inside a scope", () => {
    const scope = scopedRedactor("user-secret-2");
    const layered = new Redactor({ scope: () => scope });
    layered.add("configured-secret-1");
    expect(layered.redact("configured-secret-1 user-secret-2")).toBe("[REDACTED] [REDACTED]");
  });
});

describe("StreamScrubber (websocket frames, on bytes)", () => {
  const r = new Redactor();
  r.add("s3cret-key-42");
  const scrubber = () => new StreamScrubber(() => r.secretBytes());
  const b = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
  /** Everything the scrubber gives out for these chunks, the close's flush included. */
  const run = (s: StreamScrubber, chunks: Buffer[]) => Buffer.concat([...chunks.map((c) => s.push(c)), s.flush()]);

  it("scrubs every form of a secret from bytes that are not UTF-8, leaving every other byte as it was", () => {
    const b64 = Buffer.from("s3cret-key-42").toString("base64");
    const input = b([0xff, 0x00, 0xc3], "k=s3cret-key-42", [0x80, 0xfe], ` ${b64} `, [0xed, 0xa0]);
    expect(run(scrubber(), [input])).toEqual(
      b([0xff, 0x00, 0xc3], "k=[REDACTED]", [0x80, 0xfe], " [REDACTED] ", [0xed, 0xa0]),
    );
  });

  it("a chunk with nothing to hold back comes back as the same buffer, not a copy", () => {
    const clean = b("no secret here, and no start of one at the end ", [0xff]);
    expect(scrubber().push(clean)).toBe(clean);
  });

  it("holds back the longest tail that starts a secret, and catches the secret split across chunks", () => {
    const s = scrubber();
    expect(s.push(b([0xff], "out s3cr"))).toEqual(b([0xff], "out "));
    expect(s.held).toBe(4);
    expect(s.push(b("et-key-42 more"))).toEqual(b("[REDACTED] more"));
    expect(s.held).toBe(0);
    // Split over three chunks, one of them all held.
    expect(run(s, [b("a s3"), b("cret-k"), b("ey-42!")])).toEqual(b("a [REDACTED]!"));
  });

  it("a held tail that turns out not to be a secret is given out intact, in order", () => {
    const s = scrubber();
    expect(s.push(b("x s3cret-k"))).toEqual(b("x "));
    expect(s.push(b([0x00, 0xff], "y"))).toEqual(b("s3cret-k", [0x00, 0xff], "y"));
    expect(s.push(b("z s3c"))).toEqual(b("z "));
    expect(s.flush()).toEqual(b("s3c"));
    expect(s.flush()).toEqual(b(""));
  });

  it("prefers the longest secret at the leftmost start, as redact does on a string", () => {
    const two = new Redactor();
    two.add("abcdef-1");
    two.add("abcdef-1-longer");
    two.add("f-1-lo-other");
    const s = new StreamScrubber(() => two.secretBytes());
    // "abcdef-1" complete in the first chunk, but the longer secret may still follow: held, then caught.
    expect(run(s, [b("<abcdef-1"), b("-longer>")])).toEqual(b("<[REDACTED]>"));
    expect(run(s, [b("<abcdef-1"), b("-x>")])).toEqual(b("<[REDACTED]-x>"));
    const text = "1 abcdef-1-longer 2 abcdef-1 3 xf-1-lo-other 4";
    for (let cut = 0; cut <= text.length; cut++) {
      expect(run(s, [b(text.slice(0, cut)), b(text.slice(cut))]).toString()).toBe(two.redact(text));
    }
  });

  it("gives the same bytes however the stream is cut into chunks (random streams, random cuts)", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = [Buffer.from("s3cret-key-42"), Buffer.from("s3cr"), Buffer.from("s3cret-key-4"), b([0xff, 0x80])];
    for (let round = 0; round < 300; round++) {
      const parts: Buffer[] = [];
      for (let i = rand(12); i >= 0; i--)
        parts.push(rand(3) === 0 ? (pieces[rand(4)] as Buffer) : Buffer.from([rand(256)]));
      const whole = Buffer.concat(parts);
      const once = run(scrubber(), [whole]);
      expect(once.includes("s3cret-key-42")).toBe(false);
      const chunks: Buffer[] = [];
      for (let at = 0; at < whole.length; ) {
        const n = 1 + rand(6);
        chunks.push(whole.subarray(at, at + n));
        at += n;
      }
      expect(run(scrubber(), chunks)).toEqual(once);
    }
  });

  it("picks up a secret registered mid-stream, and a scope's secrets through the process-wide redactor", () => {
    const later = new Redactor();
    const s = new StreamScrubber(() => later.secretBytes());
    expect(s.push(b("late-secret-1"))).toEqual(b("late-secret-1"));
    later.add("late-secret-1");
    expect(s.push(b("late-secret-1"))).toEqual(b("[REDACTED]"));
    const scope = scopedRedactor("scoped-user-9");
    const inScope = new StreamScrubber(() => withRedactionScope(scope, () => redactor.secretBytes()));
    expect(run(inScope, [b("a scoped-us"), b("er-9 b")])).toEqual(b("a [REDACTED] b"));
  });
});
