import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Secrets are scrubbed from every string that leaves the process: tool results (keys and values),
 * errors, log lines. Scrubbing is by value, so a credential is caught whatever wrapped it (an
 * upstream echoing it back, a URL with ?token=, a stack).
 *
 * Two kinds of secret: configured credentials (read once at start-up, scrubbed everywhere, the
 * process-wide `redactor`) and a user's own credential sent in a header over HTTP, which is
 * scrubbed only from what that user's MCP session or REST request produces (a scope, below), so
 * one user's value can never blank out another user's results or slow their redaction down.
 *
 * A secret shorter than MIN_SECRET_LENGTH cannot be redacted without blanking ordinary words
 * ("key", "admin"): such credentials are refused where they are read (readCredential, the
 * credential header) and `add` ignores them.
 */
const MARK = "[REDACTED]";
export const MIN_SECRET_LENGTH = 6;

export class Redactor {
  readonly #secrets = new Set<string>();
  readonly #scope: (() => Redactor | undefined) | undefined;
  #pattern: RegExp | undefined;
  #bytes: readonly Buffer[] | undefined;

  /** `scope`: where to find the redactor of the session or request the caller runs in. */
  constructor(options: { scope?: () => Redactor | undefined } = {}) {
    this.#scope = options.scope;
  }

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    // Registered while a scope that owns it is active (a per-user client being built): the
    // scope already scrubs it, and the process-wide set must not grow per user.
    if (this.#current()?.has(secret)) return;
    const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")];
    for (const f of forms) this.#secrets.add(f);
    this.#pattern = undefined;
    this.#bytes = undefined;
  }

  has(secret: string): boolean {
    return this.#secrets.has(secret);
  }

  /** Number of registered forms (a secret registers three: raw, URI-encoded, base64). */
  get size(): number {
    return this.#secrets.size;
  }

  redact(text: string): string {
    if (text.length === 0) return text;
    const own = this.#redactOwn(text);
    const scoped = this.#current();
    return scoped ? scoped.redact(own) : own;
  }

  /**
   * Every registered form as UTF-8 bytes, the current scope's included: what a byte stream (a
   * websocket's frames) is scrubbed of. Cached until the next `add`.
   */
  secretBytes(): readonly Buffer[] {
    this.#bytes ??= [...this.#secrets].map((s) => Buffer.from(s));
    const scoped = this.#current();
    return scoped ? [...this.#bytes, ...scoped.secretBytes()] : this.#bytes;
  }

  /** Deep-redacts keys and strings inside JSON-like values (tool results, REST bodies). */
  redactValue<T>(value: T): T {
    if (this.#secrets.size === 0 && !this.#current()) return value;
    return walk(value, (s) => this.redact(s)) as T;
  }

  #current(): Redactor | undefined {
    const scoped = this.#scope?.();
    return scoped === this ? undefined : scoped;
  }

  #redactOwn(text: string): string {
    if (this.#secrets.size === 0) return text;
    // Nearly every text holds none: one substring search per secret costs about a third of a pass
    // of the alternation over the text (a followed log goes through here a megabyte at a time).
    let held = false;
    for (const secret of this.#secrets) {
      if (text.includes(secret)) {
        held = true;
        break;
      }
    }
    if (!held) return text;
    this.#pattern ??= new RegExp(
      [...this.#secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|"),
      "g",
    );
    return text.replace(this.#pattern, MARK);
  }
}

const MARK_BYTES = Buffer.from(MARK);

/**
 * Scrubs secrets from a stream of byte chunks (websocket frames) on the bytes themselves, so a
 * payload that is not UTF-8 comes out byte for byte as it went in, and catches a secret split
 * across chunks: the longest tail of a chunk that is the start of a secret is held back and put
 * in front of the next chunk (or given out by `flush`, at the close). A chunk that holds no
 * secret and does not end with the start of one comes back as the same buffer, not a copy.
 *
 * Matching is leftmost, longest secret first, as `Redactor.redact` does on a string. Valid UTF-8
 * stays valid: a secret's bytes start and end on character boundaries, so do the cuts.
 */
export class StreamScrubber {
  readonly #secrets: () => readonly Uint8Array[];
  #held: Buffer | undefined;

  /** `secrets` is read per chunk, so one registered mid-stream is caught from then on. */
  constructor(secrets: () => readonly Uint8Array[]) {
    this.#secrets = secrets;
  }

  /** Bytes held back from the chunks so far (0 unless the last one ended with a secret's start). */
  get held(): number {
    return this.#held?.length ?? 0;
  }

  /** The scrubbed bytes that can go out now (possibly none: all of `chunk` may be held back). */
  push(chunk: Buffer): Buffer {
    const secrets = this.#secrets();
    const buf = this.#held ? Buffer.concat([this.#held, chunk]) : chunk;
    this.#held = undefined;
    if (secrets.length === 0 || buf.length === 0) return buf;
    let out: Buffer[] | undefined;
    let pos = 0;
    for (;;) {
      // A match that starts before the held-back tail is final: were a longer secret (or an
      // earlier one) still possible there, that tail would have begun at or before it.
      const hold = heldFrom(buf, pos, secrets);
      const match = firstMatch(buf, pos, hold, secrets);
      if (!match) {
        if (hold < buf.length) this.#held = Buffer.from(buf.subarray(hold));
        if (!out) return hold === buf.length ? buf : buf.subarray(0, hold);
        out.push(buf.subarray(pos, hold));
        return Buffer.concat(out);
      }
      out ??= [];
      out.push(buf.subarray(pos, match.start), MARK_BYTES);
      pos = match.end;
    }
  }

  /** Gives out what is held back (at the end of the stream, or where the stream changes kind). */
  flush(): Buffer {
    const held = this.#held ?? Buffer.alloc(0);
    this.#held = undefined;
    return held;
  }
}

/**
 * Where the longest tail of `buf` (from `from` on) that is a proper start of a secret begins;
 * `buf.length` when none is.
 */
function heldFrom(buf: Buffer, from: number, secrets: readonly Uint8Array[]): number {
  let best = buf.length;
  for (const s of secrets) {
    const first = s[0];
    for (let i = Math.max(from, buf.length - s.length + 1); i < best; i++) {
      if (buf[i] !== first) continue;
      let j = 1;
      while (i + j < buf.length && buf[i + j] === s[j]) j++;
      if (i + j === buf.length) {
        best = i;
        break;
      }
    }
  }
  return best;
}

/** The leftmost secret starting in [from, before), the longest of those starting there. */
function firstMatch(
  buf: Buffer,
  from: number,
  before: number,
  secrets: readonly Uint8Array[],
): { start: number; end: number } | undefined {
  let start = before;
  let end = -1;
  for (const s of secrets) {
    if (before - from < 1 || buf.length - from < s.length) continue;
    const at = buf.indexOf(s, from);
    if (at === -1 || at >= before || at > start) continue;
    if (at < start || at + s.length > end) {
      start = at;
      end = at + s.length;
    }
  }
  return end === -1 ? undefined : { start, end };
}

/**
 * Copy on write: an array or object is copied only when something inside it was scrubbed, so a
 * clean result (nearly every one) costs the scan and no allocation.
 */
function walk(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = walk(value[i], fn);
      if (v !== value[i] && !out) out = value.slice(0, i);
      out?.push(v);
    }
    return out ?? value;
  }
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const source = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(source);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const key = fn(k);
      const v = walk(source[k], fn);
      if ((key !== k || v !== source[k]) && !out) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j] as string] = source[keys[j] as string];
      }
      if (out) out[key] = v;
    }
    return out ?? value;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const scopes = new AsyncLocalStorage<Redactor>();

/**
 * Process-wide redactor: configuration registers into it; the logger, the tool wrapper and error
 * texts read it. It also applies the scope of the session or request the caller runs in.
 */
export const redactor = new Redactor({ scope: () => scopes.getStore() });

/** A redactor for one MCP session or REST request, holding that user's own credential. */
export function scopedRedactor(...secrets: (string | undefined)[]): Redactor {
  const scope = new Redactor();
  for (const s of secrets) scope.add(s);
  return scope;
}

/**
 * Runs `fn` (and everything asynchronous it starts) inside `scope`: the process-wide redactor
 * then also scrubs the scope's secrets, and a secret the scope holds is not registered
 * process-wide. Without a scope, runs `fn` as is.
 */
export function withRedactionScope<T>(scope: Redactor | undefined, fn: () => T): T {
  return scope ? scopes.run(scope, fn) : fn();
}
