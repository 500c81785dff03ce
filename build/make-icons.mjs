// Draws the kiosk icon (an ATM fascia: screen, card slot, cash slot on a navy tile) into build/icons/: an SVG and
// PNGs at the sizes Linux and Windows installers want. No image libraries: PNG written with zlib.
//   node build/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZES = [16, 32, 48, 64, 128, 256, 512];
const NAVY = [11, 31, 51];
const SCREEN = [46, 160, 220];
const WHITE = [240, 244, 248];
const GREEN = [60, 200, 120];
const DARK = [4, 12, 20];

// Shapes in a 0..1 square, drawn in order: [x0, y0, x1, y1, radius, colour].
const SHAPES = [
  [0.04, 0.04, 0.96, 0.96, 0.18, NAVY],
  [0.18, 0.14, 0.82, 0.52, 0.05, WHITE],
  [0.22, 0.18, 0.78, 0.48, 0.03, SCREEN],
  [0.2, 0.62, 0.48, 0.68, 0.02, DARK],
  [0.56, 0.6, 0.8, 0.7, 0.03, GREEN],
  [0.2, 0.76, 0.8, 0.84, 0.03, WHITE],
  [0.24, 0.785, 0.76, 0.815, 0.01, DARK],
];

function coverage(px, py, [x0, y0, x1, y1, r]) {
  const cx = Math.min(Math.max(px, x0 + r), x1 - r);
  const cy = Math.min(Math.max(py, y0 + r), y1 - r);
  const inside = px >= x0 && px <= x1 && py >= y0 && py <= y1;
  if (!inside) return 0;
  const d = Math.hypot(px - cx, py - cy);
  return d <= r ? 1 : 0;
}

export function renderPng(size) {
  const ss = 4; // supersampling
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const px = (x + (sx + 0.5) / ss) / size;
          const py = (y + (sy + 0.5) / ss) / size;
          let col = null;
          for (const s of SHAPES) if (coverage(px, py, s)) col = s[5];
          if (col) {
            r += col[0]; g += col[1]; b += col[2]; a += 255;
          }
        }
      }
      const n = ss * ss;
      const cov = a / 255;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = cov ? Math.round(r / cov) : 0;
      raw[o + 1] = cov ? Math.round(g / cov) : 0;
      raw[o + 2] = cov ? Math.round(b / cov) : 0;
      raw[o + 3] = Math.round(a / n);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function renderSvg() {
  const rgb = (c) => `rgb(${c.join(',')})`;
  const rects = SHAPES.map(([x0, y0, x1, y1, r, c]) => `  <rect x="${x0 * 512}" y="${y0 * 512}" width="${(x1 - x0) * 512}" height="${(y1 - y0) * 512}" rx="${r * 512}" fill="${rgb(c)}"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">\n  <title>Open ATM Kiosk</title>\n${rects.join('\n')}\n</svg>\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync('build/icons', { recursive: true });
  writeFileSync('build/icons/icon.svg', renderSvg());
  for (const s of SIZES) writeFileSync(`build/icons/${s}x${s}.png`, renderPng(s));
  writeFileSync('build/icons/icon.png', renderPng(512));
  console.log(`wrote build/icons: icon.svg, icon.png, ${SIZES.map((s) => `${s}x${s}.png`).join(', ')}`);
}
