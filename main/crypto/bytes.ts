/** Small byte helpers shared by the crypto modules. */
import { CryptoError } from './errors';

export function xor(a: Uint8Array, b: Uint8Array): Buffer {
  if (a.length !== b.length) throw new CryptoError('BAD_INPUT', `xor of ${a.length} and ${b.length} bytes`);
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** Parses hex (case-insensitive, whitespace ignored). The message names the field, never the value. */
export function fromHex(hex: string, what = 'value'): Buffer {
  const h = hex.replace(/\s+/g, '');
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new CryptoError('BAD_INPUT', `${what} must be even-length hex`);
  return Buffer.from(h, 'hex');
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** Overwrites a buffer with zeros (best effort: JS may have copied it elsewhere). */
export function wipe(b: Uint8Array | undefined): void {
  if (b) b.fill(0);
}

/** Constant-time comparison of equal-length byte strings (false on different lengths). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return d === 0;
}

/** A random source: returns n random bytes. Injectable so tests are deterministic. */
export type RandomSource = (n: number) => Uint8Array;
