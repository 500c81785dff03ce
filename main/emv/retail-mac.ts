/** ISO/IEC 9797-1 padding methods 1/2 and MAC algorithm 3 (retail MAC) with a 16-byte DES key. */
import { tdesCbcEncrypt } from './tdes';

export type PaddingMethod = 1 | 2;

/** Method 1: zeros to a block multiple (one zero block if empty). Method 2: 0x80 then zeros. */
export function padIso9797(data: Uint8Array, method: PaddingMethod): Uint8Array {
  if (method === 1) {
    const len = data.length === 0 ? 8 : Math.ceil(data.length / 8) * 8;
    const out = new Uint8Array(len);
    out.set(data);
    return out;
  }
  const out = new Uint8Array((Math.floor(data.length / 8) + 1) * 8);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/**
 * MAC algorithm 3: single-DES CBC under key A over all blocks but the last, then the last block
 * through TDES (A, B). Returns the leftmost `length` bytes (4-8).
 */
export function macIso9797Alg3(key: Uint8Array, data: Uint8Array, method: PaddingMethod, length = 8): Uint8Array {
  if (key.length !== 16) throw new RangeError('MAC key must be a 16-byte double-length DES key');
  if (length < 4 || length > 8) throw new RangeError('MAC length must be 4-8 bytes');
  const padded = padIso9797(data, method);
  const keyA = key.subarray(0, 8);
  let chain: Uint8Array = new Uint8Array(8);
  if (padded.length > 8) {
    const head = tdesCbcEncrypt(keyA, padded.subarray(0, padded.length - 8));
    chain = head.subarray(head.length - 8);
  }
  const last = tdesCbcEncrypt(key, padded.subarray(padded.length - 8), chain);
  return last.subarray(0, length);
}
