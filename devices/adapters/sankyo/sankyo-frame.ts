/**
 * Sankyo ICT3K5-family framing: `F2 LEN(2, BE) TEXT CRC(2, BE)`; LEN counts the text; TEXT is
 * `'C' cm pm data` (command), `'P' cm pm st1 st0 data` (positive reply) or `'N' cm pm e1 e0` (negative reply).
 * CRC is CRC16-XMODEM (poly 0x1021, init 0) over everything from F2 through the text. ACK 06 / NAK 15 acknowledge
 * each frame in both directions.
 */
export const FRAME_START = 0xf2;
export const ACK = 0x06;
export const NAK = 0x15;
export const TEXT_COMMAND = 0x43; // 'C'
export const TEXT_POSITIVE = 0x50; // 'P'
export const TEXT_NEGATIVE = 0x4e; // 'N'
/** Guard against a garbled length making the host wait for kilobytes that never come. */
export const MAX_TEXT_LENGTH = 1024;

export function crc16Xmodem(bytes: ArrayLike<number>, end = bytes.length): number {
  let crc = 0;
  for (let i = 0; i < end; i++) {
    crc ^= bytes[i]! << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function encodeFrame(text: ArrayLike<number>): Buffer {
  const body = [FRAME_START, (text.length >> 8) & 0xff, text.length & 0xff, ...Array.from(text)];
  const crc = crc16Xmodem(body);
  return Buffer.from([...body, crc >> 8, crc & 0xff]);
}

export const encodeCommand = (cm: number, pm: number, data: ArrayLike<number> = []): Buffer => encodeFrame([TEXT_COMMAND, cm, pm, ...Array.from(data)]);
export const encodePositive = (cm: number, pm: number, st1: number, st0: number, data: ArrayLike<number> = []): Buffer =>
  encodeFrame([TEXT_POSITIVE, cm, pm, st1, st0, ...Array.from(data)]);
export const encodeNegative = (cm: number, pm: number, e1: number, e0: number): Buffer => encodeFrame([TEXT_NEGATIVE, cm, pm, e1, e0]);

export interface SankyoText {
  /** 'C', 'P' or 'N'. */
  type: number;
  cm: number;
  pm: number;
  /** Bytes after pm (st1 st0 data for 'P', e1 e0 for 'N', data for 'C'). */
  rest: Buffer;
}

export type SankyoScan = { kind: 'frame'; text: SankyoText; consumed: number } | { kind: 'bad'; length: number; consumed: number } | { kind: 'need-more' };

export function scanFrame(buf: Buffer): SankyoScan {
  const start = buf.indexOf(FRAME_START);
  if (start < 0 || buf.length - start < 3) return { kind: 'need-more' };
  const len = (buf[start + 1]! << 8) | buf[start + 2]!;
  if (len < 3 || len > MAX_TEXT_LENGTH) return { kind: 'bad', length: buf.length - start, consumed: buf.length };
  const total = 3 + len + 2;
  if (buf.length - start < total) return { kind: 'need-more' };
  const f = buf.subarray(start, start + total);
  const crc = (f[total - 2]! << 8) | f[total - 1]!;
  if (crc16Xmodem(f, total - 2) !== crc) return { kind: 'bad', length: total, consumed: start + total };
  return { kind: 'frame', text: { type: f[3]!, cm: f[4]!, pm: f[5]!, rest: Buffer.from(f.subarray(6, 3 + len)) }, consumed: start + total };
}
