/**
 * Docker multiplexes a non-TTY attach stream: 8-byte headers [stream, 0, 0, 0, len(4, big endian)].
 * Portainer forwards those bytes as text after dropping invalid UTF-8, so a header whose length
 * bytes are >= 0x80 arrives damaged. This demuxer strips well-formed headers and, at the first
 * position where no header can be, gives up and passes everything through unchanged from there.
 */
export class DockerStreamDemuxer {
  #mode: "detect" | "mux" | "raw" = "detect";
  #header = Buffer.alloc(0);
  #remaining = 0;

  get mode(): "detect" | "mux" | "raw" {
    return this.#mode;
  }

  push(chunk: Buffer): Buffer {
    if (this.#mode === "raw") return chunk;
    const out: Buffer[] = [];
    let p = 0;
    while (p < chunk.length) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - p);
        out.push(chunk.subarray(p, p + take));
        this.#remaining -= take;
        p += take;
        continue;
      }
      const need = 8 - this.#header.length;
      const part = chunk.subarray(p, p + need);
      const header = Buffer.concat([this.#header, part]);
      if (!plausibleHeaderPrefix(header)) {
        // Not (or no longer) a multiplexed stream: keep every byte from here on.
        this.#mode = "raw";
        out.push(this.#header, chunk.subarray(p));
        this.#header = Buffer.alloc(0);
        return Buffer.concat(out);
      }
      p += part.length;
      if (header.length < 8) {
        this.#header = header;
        break;
      }
      this.#header = Buffer.alloc(0);
      this.#mode = "mux";
      this.#remaining = header.readUInt32BE(4);
    }
    return Buffer.concat(out);
  }
}

function plausibleHeaderPrefix(h: Buffer): boolean {
  if (h.length >= 1 && h[0]! > 2) return false;
  for (let i = 1; i < Math.min(4, h.length); i++) if (h[i] !== 0) return false;
  return true;
}
