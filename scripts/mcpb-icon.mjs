// A bundle's icon, drawn here instead of committed as a binary: a rounded square in the server's
// colour with its initial in white, as an RGBA PNG (zlib from Node; no image library needed).
import { crc32, deflateSync } from "node:zlib";

// 5×7 glyphs of the three initials (1 = ink).
const GLYPHS = {
  P: ["11110", "10001", "10001", "11110", "10000", "10000", "10000"],
  I: ["11111", "00100", "00100", "00100", "00100", "00100", "11111"],
  Q: ["01110", "10001", "10001", "10001", "10101", "10010", "01101"],
};

/** An RGBA PNG of `size`×`size` pixels; `rgb` is the background, the initial is white. */
export function iconPng(letter, rgb, size = 256) {
  const glyph = GLYPHS[letter];
  if (!glyph) throw new Error(`no glyph for ${letter}`);
  const radius = size * 0.18;
  const cell = Math.floor((size * 0.6) / 7);
  const gx = Math.floor((size - cell * 5) / 2);
  const gy = Math.floor((size - cell * 7) / 2);
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const o = row + 1 + x * 4;
      if (!insideRounded(x + 0.5, y + 0.5, size, radius)) continue; // transparent corner
      const cx = Math.floor((x - gx) / cell);
      const cy = Math.floor((y - gy) / cell);
      const ink = x >= gx && y >= gy && cx < 5 && cy < 7 && glyph[cy][cx] === "1";
      const [r, g, b] = ink ? [255, 255, 255] : rgb;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function insideRounded(x, y, size, r) {
  const dx = Math.max(r - x, 0, x - (size - r));
  const dy = Math.max(r - y, 0, y - (size - r));
  return dx * dx + dy * dy <= r * r;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
