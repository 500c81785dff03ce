/**
 * Encryption of ISO 9564-1 PIN blocks.
 *  - formats 0, 1, 3: the 8-byte clear block encrypted under TDES (ECB, one block).
 *  - format 4 (ISO 9564-1:2017): two-step process with a 128-bit block cipher:
 *      A = E(K, plaintext PIN field); B = A XOR PAN field; enciphered block = E(K, B).
 *    Decryption: B = D(K, C); A = B XOR PAN field; PIN field = D(K, A).
 *    With AES (the standard's cipher) or SM4 (GB/T 32907, 128-bit block) as the option for PBOC networks;
 *    the SM4 variant reuses the format 4 structure (no published SM4 PIN block vector was available).
 */
import { type CipherAlg, ecbDecrypt, ecbEncrypt } from './block-cipher';
import { type RandomSource, xor } from './bytes';
import { CryptoError } from './errors';
import { decodePinBlock, encodePinBlock, panField128, type PinBlockFormat } from './pin-block';

export type PinBlockCipher = Extract<CipherAlg, 'tdes' | 'aes' | 'sm4'>;

export interface PinBlockKey {
  alg: PinBlockCipher;
  key: Uint8Array;
}

function checkPair(format: PinBlockFormat, alg: PinBlockCipher): void {
  const wide = alg === 'aes' || alg === 'sm4';
  if (format === 4 && !wide) throw new CryptoError('UNSUPPORTED', 'format 4 needs a 128-bit block cipher key (AES or SM4)');
  if (format !== 4 && wide) throw new CryptoError('UNSUPPORTED', `format ${format} is an 8-byte block for TDES keys; use format 4 with AES/SM4`);
}

/** Encrypts a clear block (formats 0/1/3) or a format 4 plaintext PIN field (needs the PAN). */
export function encryptClearPinBlock(format: PinBlockFormat, clear: Uint8Array, k: PinBlockKey, pan?: string): Buffer {
  checkPair(format, k.alg);
  if (format !== 4) return ecbEncrypt(k.alg, k.key, clear);
  if (pan === undefined) throw new CryptoError('BAD_PAN', 'format 4 needs the PAN');
  const a = ecbEncrypt(k.alg, k.key, clear);
  return ecbEncrypt(k.alg, k.key, xor(a, panField128(pan)));
}

/** Decrypts to the clear block (formats 0/1/3) or the format 4 plaintext PIN field. */
export function decryptToClearPinBlock(format: PinBlockFormat, enc: Uint8Array, k: PinBlockKey, pan?: string): Buffer {
  checkPair(format, k.alg);
  const size = format === 4 ? 16 : 8;
  if (enc.length !== size) throw new CryptoError('BAD_PIN_BLOCK', `encrypted format ${format} block must be ${size} bytes`);
  if (format !== 4) return ecbDecrypt(k.alg, k.key, enc);
  if (pan === undefined) throw new CryptoError('BAD_PAN', 'format 4 needs the PAN');
  const b = ecbDecrypt(k.alg, k.key, enc);
  return ecbDecrypt(k.alg, k.key, xor(b, panField128(pan)));
}

export interface EncryptPinInput {
  format: PinBlockFormat;
  pin: string;
  pan?: string;
  fill?: string;
  random?: RandomSource;
  key: PinBlockKey;
}

/** Encodes and encrypts in one step; the clear block is wiped afterwards. */
export function encryptPin(input: EncryptPinInput): Buffer {
  const clear = encodePinBlock(input);
  try {
    return encryptClearPinBlock(input.format, clear, input.key, input.pan);
  } finally {
    clear.fill(0);
  }
}

/** Decrypts and decodes to the PIN (host simulator side). */
export function decryptPin(format: PinBlockFormat, enc: Uint8Array, key: PinBlockKey, pan?: string): string {
  const clear = decryptToClearPinBlock(format, enc, key, pan);
  try {
    return decodePinBlock(format === 4 ? { format, block: clear } : { format, block: clear, pan });
  } finally {
    clear.fill(0);
  }
}
