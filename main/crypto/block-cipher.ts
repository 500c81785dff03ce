/**
 * Block cipher primitives on node:crypto (OpenSSL). No hand-rolled ciphers.
 * DES keys: 8 bytes (single DES, run as TDES with K1=K2=K3, which is the same function),
 * 16 bytes (2-key TDES, K1 K2 K1) or 24 bytes (3-key TDES). AES: 16/24/32 bytes. SM4: 16 bytes.
 * All operations are raw (no padding); data must be a whole number of blocks.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CryptoError } from './errors';

export type CipherAlg = 'tdes' | 'aes' | 'sm4';
export const BLOCK_SIZE: Record<CipherAlg, number> = { tdes: 8, aes: 16, sm4: 16 };

/** Expands an 8/16/24-byte DES key to the 24-byte form for des-ede3. */
export function tdesKey24(key: Uint8Array): Buffer {
  const k = Buffer.from(key);
  if (k.length === 24) return k;
  if (k.length === 16) return Buffer.concat([k, k.subarray(0, 8)]);
  if (k.length === 8) return Buffer.concat([k, k, k]);
  throw new CryptoError('BAD_KEY_LENGTH', `DES/TDES key must be 8, 16 or 24 bytes, got ${k.length}`);
}

function cipherName(alg: CipherAlg, key: Uint8Array, mode: 'ecb' | 'cbc'): string {
  if (alg === 'tdes') return mode === 'ecb' ? 'des-ede3-ecb' : 'des-ede3-cbc';
  if (alg === 'sm4') {
    if (key.length !== 16) throw new CryptoError('BAD_KEY_LENGTH', `SM4 key must be 16 bytes, got ${key.length}`);
    return `sm4-${mode}`;
  }
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new CryptoError('BAD_KEY_LENGTH', `AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
  return `aes-${key.length * 8}-${mode}`;
}

function run(encrypt: boolean, alg: CipherAlg, mode: 'ecb' | 'cbc', key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Buffer {
  const bs = BLOCK_SIZE[alg];
  if (data.length % bs !== 0) throw new CryptoError('BAD_INPUT', `data must be a multiple of ${bs} bytes, got ${data.length}`);
  const name = cipherName(alg, key, mode);
  const k = alg === 'tdes' ? tdesKey24(key) : Buffer.from(key);
  const ivBuf = mode === 'cbc' ? Buffer.from(iv ?? Buffer.alloc(bs)) : null;
  if (ivBuf && ivBuf.length !== bs) throw new CryptoError('BAD_INPUT', `IV must be ${bs} bytes`);
  const c = encrypt ? createCipheriv(name, k, ivBuf) : createDecipheriv(name, k, ivBuf);
  c.setAutoPadding(false);
  const out = Buffer.concat([c.update(data), c.final()]);
  if (alg === 'tdes') k.fill(0);
  return out;
}

export const ecbEncrypt = (alg: CipherAlg, key: Uint8Array, data: Uint8Array): Buffer => run(true, alg, 'ecb', key, data);
export const ecbDecrypt = (alg: CipherAlg, key: Uint8Array, data: Uint8Array): Buffer => run(false, alg, 'ecb', key, data);
export const cbcEncrypt = (alg: CipherAlg, key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Buffer =>
  run(true, alg, 'cbc', key, data, iv);
export const cbcDecrypt = (alg: CipherAlg, key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Buffer =>
  run(false, alg, 'cbc', key, data, iv);

export const tdesEcbEncrypt = (key: Uint8Array, data: Uint8Array): Buffer => ecbEncrypt('tdes', key, data);
export const tdesEcbDecrypt = (key: Uint8Array, data: Uint8Array): Buffer => ecbDecrypt('tdes', key, data);
/** Single DES (8-byte key) via TDES with K1=K2=K3. */
export function desEcbEncrypt(key: Uint8Array, data: Uint8Array): Buffer {
  if (key.length !== 8) throw new CryptoError('BAD_KEY_LENGTH', `DES key must be 8 bytes, got ${key.length}`);
  return ecbEncrypt('tdes', key, data);
}
export function desEcbDecrypt(key: Uint8Array, data: Uint8Array): Buffer {
  if (key.length !== 8) throw new CryptoError('BAD_KEY_LENGTH', `DES key must be 8 bytes, got ${key.length}`);
  return ecbDecrypt('tdes', key, data);
}
export const aesEcbEncrypt = (key: Uint8Array, data: Uint8Array): Buffer => ecbEncrypt('aes', key, data);
export const aesEcbDecrypt = (key: Uint8Array, data: Uint8Array): Buffer => ecbDecrypt('aes', key, data);
export const sm4EcbEncrypt = (key: Uint8Array, data: Uint8Array): Buffer => ecbEncrypt('sm4', key, data);
export const sm4EcbDecrypt = (key: Uint8Array, data: Uint8Array): Buffer => ecbDecrypt('sm4', key, data);

export const defaultRandom = (n: number): Uint8Array => randomBytes(n);
