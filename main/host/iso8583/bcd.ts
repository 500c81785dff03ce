/**
 * Packed BCD helpers. Digits are written two a byte, high nibble first. An odd count is padded with one
 * 0 nibble, on the left (fixed numerics, length prefixes) or on the right (variable numerics, jPOS IFB_LLNUM).
 * '=' (track 2 separator) is the nibble D, as jPOS ISOUtil.str2bcd/bcd2str do.
 */
export type BcdPad = 'left' | 'right';

export const bcdByteLength = (digits: number): number => (digits + 1) >> 1;

function nibbleOf(ch: string): number {
  return ch === '=' ? 0xd : ch.charCodeAt(0) - 0x30;
}

/** Encodes digits ('0'-'9', '=') as BCD. The caller has validated the characters. */
export function encodeBcd(digits: string, pad: BcdPad): Buffer {
  const out = Buffer.alloc(bcdByteLength(digits.length));
  const start = digits.length % 2 === 1 && pad === 'left' ? 1 : 0;
  for (let i = 0; i < digits.length; i++) {
    const pos = i + start;
    const shift = pos % 2 === 0 ? 4 : 0;
    out[pos >> 1] = (out[pos >> 1] ?? 0) | (nibbleOf(digits[i] ?? '0') << shift);
  }
  return out;
}

export type BcdProblem = { kind: 'digit'; index: number } | { kind: 'pad'; index: number };

/**
 * Decodes `digits` nibbles from `bytes`. Returns the string, or the first problem: a nibble that is not a
 * digit (D accepted as '=' when `allowSeparator`), or a non-zero pad nibble. `index` is the byte index.
 */
export function decodeBcd(bytes: Uint8Array, digits: number, pad: BcdPad, allowSeparator: boolean): string | BcdProblem {
  const total = bcdByteLength(digits) * 2;
  const start = digits % 2 === 1 && pad === 'left' ? 1 : 0;
  let s = '';
  for (let pos = 0; pos < total; pos++) {
    const byte = bytes[pos >> 1] ?? 0;
    const nib = pos % 2 === 0 ? byte >> 4 : byte & 0x0f;
    const isPad = pos < start || pos >= start + digits;
    if (isPad) {
      if (nib !== 0) return { kind: 'pad', index: pos >> 1 };
    } else if (nib <= 9) {
      s += String.fromCharCode(0x30 + nib);
    } else if (nib === 0xd && allowSeparator) {
      s += '=';
    } else {
      return { kind: 'digit', index: pos >> 1 };
    }
  }
  return s;
}
