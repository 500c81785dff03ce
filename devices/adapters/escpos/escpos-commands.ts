/**
 * ESC/POS command bytes (Epson ESC/POS, implemented by most receipt printers): initialise, alignment, character
 * size, line feeds, feed-and-partial-cut and real-time status requests.
 */
export const ESC = 0x1b;
export const GS = 0x1d;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

export type Align = 'left' | 'center' | 'right';

/** One printed line with its layout. */
export interface ReceiptLine {
  text: string;
  align?: Align;
  /** Character magnification, 1..8 each way (GS ! n). */
  size?: { width: number; height: number };
}

/** ESC @: clears the print buffer and resets modes. */
export const initialize = (): number[] => [ESC, 0x40];

/** ESC a n: 0 left, 1 centre, 2 right. */
export const align = (a: Align): number[] => [ESC, 0x61, a === 'left' ? 0 : a === 'center' ? 1 : 2];

/** GS ! n: bits 4-6 width-1, bits 0-2 height-1. */
export function characterSize(width: number, height: number): number[] {
  const w = Math.min(8, Math.max(1, Math.trunc(width))) - 1;
  const h = Math.min(8, Math.max(1, Math.trunc(height))) - 1;
  return [GS, 0x21, (w << 4) | h];
}

/** GS V 66 n: feeds paper n motion units past the cutter and partially cuts. */
export const feedAndPartialCut = (feed: number): number[] => [GS, 0x56, 66, Math.min(255, Math.max(0, Math.trunc(feed)))];

/** DLE EOT n: real-time status (1 printer, 2 offline cause, 3 error cause, 4 paper roll sensor). */
export type StatusKind = 1 | 2 | 3 | 4;
export const realTimeStatus = (n: StatusKind): number[] => [DLE, EOT, n];

/** Printable ASCII only: control bytes in text would be taken as commands by the printer. */
export function textBytes(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0x3f;
    out.push(c >= 0x20 && c < 0x7f ? c : 0x3f);
  }
  return out;
}

/** A whole receipt: init, each line with its alignment and size, then feed and partial cut. */
export function encodeReceipt(lines: ReceiptLine[], cutFeed = 3): Uint8Array {
  const bytes: number[] = [...initialize()];
  let curAlign: Align = 'left';
  let curSize = '1x1';
  for (const line of lines) {
    const a = line.align ?? 'left';
    if (a !== curAlign) bytes.push(...align((curAlign = a)));
    const s = line.size ?? { width: 1, height: 1 };
    const key = `${s.width}x${s.height}`;
    if (key !== curSize) {
      bytes.push(...characterSize(s.width, s.height));
      curSize = key;
    }
    bytes.push(...textBytes(line.text), LF);
  }
  if (curSize !== '1x1') bytes.push(...characterSize(1, 1));
  if (curAlign !== 'left') bytes.push(...align('left'));
  bytes.push(...feedAndPartialCut(cutFeed));
  return Uint8Array.from(bytes);
}
