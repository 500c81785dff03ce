/**
 * CMAC (NIST SP 800-38B; RFC 4493 for AES): AES-CMAC (128-bit block, Rb = 0x87) and TDES-CMAC
 * (64-bit block, Rb = 0x1B). Built on the ECB primitives of block-cipher.ts.
 */
import { BLOCK_SIZE, ecbEncrypt } from './block-cipher';
import { xor } from './bytes';
import { CryptoError } from './errors';

export type CmacAlg = 'aes' | 'tdes';

function shiftLeft1(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i++) out[i] = (((b[i] ?? 0) << 1) | ((b[i + 1] ?? 0) >> 7)) & 0xff;
  return out;
}

function dbl(b: Buffer): Buffer {
  const out = shiftLeft1(b);
  if ((b[0] ?? 0) & 0x80) out[out.length - 1] = (out[out.length - 1] ?? 0) ^ (b.length === 16 ? 0x87 : 0x1b);
  return out;
}

/** The CMAC subkeys K1, K2. */
export function cmacSubkeys(alg: CmacAlg, key: Uint8Array): [Buffer, Buffer] {
  const l = ecbEncrypt(alg, key, Buffer.alloc(BLOCK_SIZE[alg]));
  const k1 = dbl(l);
  return [k1, dbl(k1)];
}

/** Full-length CMAC tag (16 bytes for AES, 8 for TDES), optionally truncated to `length` bytes. */
export function cmac(alg: CmacAlg, key: Uint8Array, data: Uint8Array, length?: number): Buffer {
  const bs = BLOCK_SIZE[alg];
  if (length !== undefined && (!Number.isInteger(length) || length < 4 || length > bs)) {
    throw new CryptoError('BAD_INPUT', `CMAC length must be 4 to ${bs} bytes`);
  }
  const [k1, k2] = cmacSubkeys(alg, key);
  const n = Math.max(1, Math.ceil(data.length / bs));
  const complete = data.length > 0 && data.length % bs === 0;
  const lastIn = Buffer.alloc(bs);
  Buffer.from(data.subarray((n - 1) * bs)).copy(lastIn);
  if (!complete) lastIn[data.length - (n - 1) * bs] = 0x80;
  const last = xor(lastIn, complete ? k1 : k2);
  let x: Buffer = Buffer.alloc(bs);
  for (let i = 0; i < n - 1; i++) x = ecbEncrypt(alg, key, xor(x, data.subarray(i * bs, (i + 1) * bs)));
  const tag = ecbEncrypt(alg, key, xor(x, last));
  k1.fill(0);
  k2.fill(0);
  return length === undefined ? tag : tag.subarray(0, length);
}
