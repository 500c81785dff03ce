/**
 * Triple DES primitives for EMV on node:crypto (des-ede3-*). No hand-rolled ciphers.
 * 16-byte keys are 2-key TDES (K1 K2 K1); 8-byte keys run as single DES (K K K).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

function key24(key: Uint8Array): Buffer {
  const k = Buffer.from(key);
  if (k.length === 8) return Buffer.concat([k, k, k]);
  if (k.length === 16) return Buffer.concat([k, k.subarray(0, 8)]);
  if (k.length === 24) return k;
  throw new RangeError(`TDES key must be 8, 16 or 24 bytes, got ${k.length}`);
}

function run(encrypt: boolean, mode: 'ecb' | 'cbc', key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  if (data.length % 8 !== 0) throw new RangeError(`TDES data must be a multiple of 8 bytes, got ${data.length}`);
  const k = key24(key);
  const ivBuf = mode === 'cbc' ? Buffer.from(iv ?? new Uint8Array(8)) : null;
  const c = encrypt ? createCipheriv(`des-ede3-${mode}`, k, ivBuf) : createDecipheriv(`des-ede3-${mode}`, k, ivBuf);
  c.setAutoPadding(false);
  const out = Buffer.concat([c.update(data), c.final()]);
  k.fill(0);
  return Uint8Array.from(out);
}

export const tdesEcbEncrypt = (key: Uint8Array, data: Uint8Array): Uint8Array => run(true, 'ecb', key, data);
export const tdesEcbDecrypt = (key: Uint8Array, data: Uint8Array): Uint8Array => run(false, 'ecb', key, data);
export const tdesCbcEncrypt = (key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array => run(true, 'cbc', key, data, iv);
export const tdesCbcDecrypt = (key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array => run(false, 'cbc', key, data, iv);

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError('xor of unequal lengths');
  return a.map((v, i) => v ^ b[i]!);
}

/** Sets odd parity on every byte (DES key convention). */
export function adjustParity(key: Uint8Array): Uint8Array {
  return key.map((b) => {
    let ones = 0;
    for (let v = b >> 1; v; v >>= 1) ones += v & 1;
    return (b & 0xfe) | (ones % 2 === 0 ? 1 : 0);
  });
}

/** Key check value: leading bytes of the key encrypting a zero block. */
export function keyCheckValue(key: Uint8Array, length = 3): string {
  return Buffer.from(tdesEcbEncrypt(key, new Uint8Array(8)).subarray(0, length)).toString('hex').toUpperCase();
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

export const fromHex = (hex: string): Uint8Array => {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError('invalid hex');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
};
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
