/**
 * ISO/IEC 9797-1 MACs with a 64-bit block cipher (DES/TDES), as used in retail payments.
 *  - Padding methods 1 (zeros; an empty message becomes one zero block), 2 (0x80 then zeros),
 *    3 (bit length as one big-endian block, then method 1).
 *  - MAC algorithm 1: CBC-MAC, every block under the given (T)DES key.
 *  - MAC algorithm 3 (ANSI X9.19 retail MAC): CBC under single DES K1, then the last output is
 *    decrypted under K2 and encrypted under K1. A 16-byte key is K1||K2; a 24-byte key uses its
 *    first two thirds.
 */
import { BLOCK_SIZE, cbcEncrypt, desEcbDecrypt, desEcbEncrypt, tdesEcbDecrypt, tdesEcbEncrypt } from './block-cipher';
import { CryptoError } from './errors';

export type IsoPadding = 1 | 2 | 3;

export function padIso9797(data: Uint8Array, method: IsoPadding, blockSize = 8): Buffer {
  const zeroPad = (d: Buffer): Buffer => {
    const rem = d.length % blockSize;
    if (d.length === 0) return Buffer.alloc(blockSize);
    return rem === 0 ? d : Buffer.concat([d, Buffer.alloc(blockSize - rem)]);
  };
  const d = Buffer.from(data);
  switch (method) {
    case 1:
      return zeroPad(d);
    case 2:
      return zeroPad(Buffer.concat([d, Buffer.from([0x80])]));
    case 3: {
      const len = Buffer.alloc(blockSize);
      let bits = BigInt(d.length) * 8n;
      for (let i = blockSize - 1; i >= 0 && bits > 0n; i--, bits >>= 8n) len[i] = Number(bits & 0xffn);
      return Buffer.concat([len, zeroPad(d)]);
    }
    default:
      throw new CryptoError('BAD_INPUT', 'padding method must be 1, 2 or 3');
  }
}

function checkLength(length: number | undefined): number {
  const l = length ?? 8;
  if (!Number.isInteger(l) || l < 4 || l > 8) throw new CryptoError('BAD_INPUT', 'MAC length must be 4 to 8 bytes');
  return l;
}

/** ISO 9797-1 MAC algorithm 1 (CBC-MAC) under a DES/TDES key (8/16/24 bytes). */
export function isoMacAlg1(key: Uint8Array, data: Uint8Array, padding: IsoPadding = 1, length?: number): Buffer {
  const l = checkLength(length);
  const padded = padIso9797(data, padding, BLOCK_SIZE.tdes);
  return cbcEncrypt('tdes', key, padded).subarray(-8).subarray(0, l);
}

/** ISO 9797-1 MAC algorithm 3 / ANSI X9.19 retail MAC under a double-length key K1||K2. */
export function isoMacAlg3(key: Uint8Array, data: Uint8Array, padding: IsoPadding = 1, length?: number): Buffer {
  const l = checkLength(length);
  if (key.length !== 16 && key.length !== 24) throw new CryptoError('BAD_KEY_LENGTH', 'retail MAC key must be 16 or 24 bytes');
  return retailMacKeys(key.subarray(0, 8), key.subarray(8, 16), data, padding).subarray(0, l);
}

/** Retail MAC with independent keys: CBC under key1, output transformation D(key2) then E(key1). */
export function retailMacKeys(key1: Uint8Array, key2: Uint8Array, data: Uint8Array, padding: IsoPadding = 1): Buffer {
  const padded = padIso9797(data, padding, 8);
  const h = cbcEncrypt('tdes', key1, padded).subarray(-8);
  const dec = key2.length === 8 ? desEcbDecrypt : tdesEcbDecrypt;
  const enc = key1.length === 8 ? desEcbEncrypt : tdesEcbEncrypt;
  return enc(key1, dec(key2, h));
}
